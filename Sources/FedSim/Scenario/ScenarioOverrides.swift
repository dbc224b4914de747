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
            let path = keyPath.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard path.allSatisfy(isKey) else {
                throw ScenarioError(file: origin, keyPath: keyPath,
                                    message: "not a key path; allowed: names of letters, digits and _ "
                                        + "joined by dots, e.g. federation.rounds=3")
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

    /// A key path segment: ASCII letters, digits and underscores.
    private static func isKey(_ segment: String) -> Bool {
        !segment.isEmpty && segment.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_"
        }
    }

    private static func set(_ value: Node, at path: ArraySlice<String>, in node: Node?, done: [String],
                            text: String, source: ScenarioSource, graft: ScenarioGraft? = nil) throws -> Node {
        guard let key = path.first else { return value }
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
}
