import FedCore

/// `fedsim list` as text for a terminal: each component of a registry with its notes, then
/// each parameter as `key=default`, the values it allows and what it does. Generated from the
/// registries, as docs/SCENARIOS.md's tables are (`RegistryDocs`); `--markdown` prints those.
public enum RegistryListing {
    /// What `fedsim list` accepts: the registry parts, and `defenses` (aggregators and
    /// pre-aggregation steps together).
    public static var topics: [String] { RegistryDocs.parts + ["defenses"] }

    /// The registry parts a topic lists (`defenses` is two), or nil for an unknown topic.
    public static func parts(of topic: String) -> [String]? {
        if topic == "defenses" { return ["aggregators", "pre-aggregation"] }
        return RegistryDocs.parts.contains(topic) ? [topic] : nil
    }

    /// The text of registry part `part`, or nil when there is no such part.
    public static func text(_ part: String) -> String? {
        guard let (key, entries) = RegistryDocs.entries(part) else { return nil }
        var lines = ["\(part) (\(plain(key)))", ""]
        for entry in entries {
            lines.append("\(entry.name): \(plain(entry.notes.first ?? ""))")
            for note in entry.notes.dropFirst() { lines.append("    \(plain(note))") }
            if !entry.uses.isEmpty { lines.append("    reads: " + entry.uses.joined(separator: ", ")) }
            let width = entry.parameters.map { $0.key.count + 1 + "\($0.defaultValue)".count }.max() ?? 0
            for p in entry.parameters {
                let head = "\(p.key)=\(p.defaultValue)"
                let pad = String(repeating: " ", count: max(0, width - head.count))
                lines.append("    \(head)\(pad)  (\(plain(p.type.allowed)))  \(plain(p.doc))")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// Markdown code spans as plain words.
    private static func plain(_ s: String) -> String { s.replacingOccurrences(of: "`", with: "") }
}
