import Yams

/// `--set key.path=value` overrides, applied to the composed YAML tree before it is read, so
/// an override is validated exactly like the same value written in the file.
enum ScenarioOverrides {
    /// Returns `root` with every override applied in order (a later one wins), and records in
    /// `source` which key paths they set so that errors name the override instead of a line.
    static func apply(_ overrides: [String], to root: Node?, source: ScenarioSource) throws -> Node? {
        var root = root
        for text in overrides {
            let origin = "--set \(text)"
            guard let equals = text.firstIndex(of: "=") else {
                throw ScenarioError(file: origin, message: "expected key.path=value; allowed: e.g. federation.rounds=3")
            }
            let keyPath = String(text[..<equals])
            guard let path = segments(keyPath) else {
                throw ScenarioError(file: origin, keyPath: keyPath,
                                    message: "not a key path; allowed: names of letters, digits and _ "
                                        + "joined by dots, a list entry as name[i], e.g. federation.rounds=3 or attack[1].z=5")
            }
            let valueText = String(text[text.index(after: equals)...])
            let value: Node
            do {
                value = try Yams.compose(yaml: valueText) ?? Node("")
            } catch {
                throw ScenarioSource.syntaxError(error, file: origin, yaml: valueText, keyPath: keyPath)
            }
            if let existing = root, !ScenarioReader.isNull(existing), existing.mapping == nil {
                return root // the reader reports that the file is not a mapping
            }
            root = try set(value, at: path[...], in: root, done: [], text: text, source: source)
        }
        return root
    }

    /// Returns `root` with each graft's value set at its path; errors under it are placed in
    /// the graft's file (see `ScenarioGraft`).
    static func apply(_ grafts: [ScenarioGraft], to root: Node?, source: ScenarioSource) throws -> Node? {
        var root = root
        for graft in grafts {
            if let existing = root, !ScenarioReader.isNull(existing), existing.mapping == nil {
                return root // the reader reports that the file is not a mapping
            }
            let text = ScenarioSource.render(graft.path)
            // A whole scenario (a comparison's inline base): every key path is under it.
            if graft.path.isEmpty { source.markOverridden([], by: text, graft: graft) }
            root = try set(graft.value, at: graft.path[...], in: root, done: [], text: text, source: source,
                           graft: graft)
        }
        return root
    }

    /// `attack[1].z` -> ["attack", "[1]", "z"] (the reader's own segments for list entries);
    /// nil when a segment is not a name of letters, digits and `_` with optional `[i]` suffixes.
    static func segments(_ keyPath: String) -> [String]? {
        var out: [String] = []
        for part in keyPath.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let open = rest.firstIndex(of: "[") ?? rest.endIndex
            let name = String(rest[..<open])
            guard isKey(name) else { return nil }
            out.append(name)
            rest = rest[open...]
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return nil }
                let digits = rest[rest.index(after: rest.startIndex)..<close]
                guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let i = Int(digits), i >= 0 else { return nil }
                out.append("[\(i)]")
                rest = rest[rest.index(after: close)...]
            }
        }
        return out
    }

    /// The index of a list segment `[i]`, or nil for a key.
    static func listIndex(_ segment: String) -> Int? {
        guard segment.hasPrefix("["), segment.hasSuffix("]") else { return nil }
        return Int(segment.dropFirst().dropLast())
    }

    /// A key path segment: ASCII letters, digits and underscores.
    private static func isKey(_ segment: String) -> Bool {
        !segment.isEmpty && segment.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_"
        }
    }

    private static func set(_ value: Node, at path: ArraySlice<String>, in node: Node?, done: [String],
                            text: String, source: ScenarioSource, graft: ScenarioGraft? = nil) throws -> Node {
        guard let key = path.first else { return value }
        if let i = listIndex(key) {
            return try setItem(value, index: i, at: path.dropFirst(), in: node, done: done, text: text, source: source,
                               graft: graft)
        }
        var mapping: Node.Mapping
        switch node {
        case nil:
            mapping = Node.Mapping([])
            if !done.isEmpty { source.markOverridden(done, by: text, graft: graft) }
        case let .some(existing) where ScenarioReader.isNull(existing):
            mapping = Node.Mapping([])
            if !done.isEmpty { source.markOverridden(done, by: text, graft: graft) }
        case let .mapping(existing)?:
            mapping = existing
        case let .some(existing):
            if let graft {
                throw ScenarioError(file: graft.file, line: graft.mark?.line, column: graft.mark?.column,
                                    keyPath: ScenarioSource.render(graft.shownPath),
                                    message: "\(ScenarioSource.render(done)) is \(ScenarioReader.describe(existing)) "
                                        + "in the base scenario, not a mapping; allowed: keys inside a mapping section")
            }
            throw ScenarioError(file: "--set \(text)", keyPath: ScenarioSource.render(done),
                                message: "is \(ScenarioReader.describe(existing)) in the scenario, not a mapping; "
                                    + "allowed: override keys inside a mapping section")
        }
        var pairs = mapping.map { ($0.key, $0.value) }
        let index = pairs.lastIndex { $0.0.scalar?.string == key }
        let child = try set(value, at: path.dropFirst(), in: index.map { pairs[$0].1 }, done: done + [key],
                            text: text, source: source, graft: graft)
        if let index {
            pairs[index].1 = child
        } else {
            pairs.append((Node(key), child))
        }
        if path.count == 1 { source.markOverridden(done + [key], by: text, graft: graft) }
        return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
    }

    /// Sets `rest` inside entry `index` of the list `node` (`attack[1].z`); a single mapping
    /// is a list of one (`attack[0]` is the one attack group).
    private static func setItem(_ value: Node, index: Int, at rest: ArraySlice<String>, in node: Node?, done: [String],
                                text: String, source: ScenarioSource, graft: ScenarioGraft?) throws -> Node {
        let here = done + ["[\(index)]"]
        func fail(_ message: String) -> ScenarioError {
            if let graft {
                return ScenarioError(file: graft.file, line: graft.mark?.line, column: graft.mark?.column,
                                     keyPath: ScenarioSource.render(graft.shownPath), message: message)
            }
            return ScenarioError(file: "--set \(text)", keyPath: ScenarioSource.render(here), message: message)
        }
        let name = ScenarioSource.render(done)
        switch node {
        case let .sequence(items)?:
            guard index < items.count else {
                throw fail("\(name) has \(items.count) entr\(items.count == 1 ? "y" : "ies"); allowed: "
                           + (items.isEmpty ? "none" : "\(name)[0] to \(name)[\(items.count - 1)]"))
            }
            var list = Array(items)
            list[index] = try set(value, at: rest, in: list[index], done: here, text: text, source: source, graft: graft)
            if rest.isEmpty { source.markOverridden(here, by: text, graft: graft) }
            return .sequence(Node.Sequence(list, items.tag, items.style, items.mark))
        case let .some(existing) where existing.mapping != nil && index == 0:
            if rest.isEmpty { source.markOverridden(done, by: text, graft: graft) }
            return try set(value, at: rest, in: existing, done: done, text: text, source: source, graft: graft)
        case let .some(existing) where existing.mapping != nil:
            throw fail("\(name) is one mapping (a list of one); allowed: \(name)[0]")
        default:
            throw fail("\(name) is \(node.map(ScenarioReader.describe) ?? "not set") in the scenario, not a list; allowed: name[i] for an entry of a list")
        }
    }
}
