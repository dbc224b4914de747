import FedCore
import Foundation
import Yams

/// A comparison file (`fedsim compare FILE`): a base scenario and a matrix of attacks ×
/// defenses × seeds, each cell a full run (docs/COMPARE.md).
///
///     base: ../quickstart.yaml          # or an inline scenario mapping
///     attacks:  [none, label-flip, {kind: sign-flip, scale: 4}, alie]
///     defenses: [fedavg, median, {kind: krum, f: 4}]
///     seeds: [1, 2, 3]
///     malicious: 0.2                    # share of malicious clients for every attack
///     overrides: {federation: {rounds: 30}}
///     parallel: 2
public struct CompareSpec: Sendable {
    /// One row or column of the matrix: a short label and the scenario section it sets.
    public struct Entry: Sendable, Equatable {
        public var label: String
        /// The `attack:` or `defense:` value, as YAML text.
        public var yaml: String
    }

    public var name: String
    public var output: String
    /// The base scenario's YAML text, the file it came from (for errors) and its folder
    /// (relative dataset paths resolve against it).
    public var baseYAML: String
    public var baseFile: String
    public var baseDirectory: String
    public var attacks: [Entry]
    public var defenses: [Entry]
    /// Seeds; empty means the base scenario's own seed.
    public var seeds: [UInt64]
    /// `key.path=value` overrides applied to every cell (from `overrides:`).
    public var overrides: [String]
    public var parallel: Int
    /// The spec as written, for the results folder.
    public var text: String

    /// Reads a comparison file; every problem is a one-line error naming file, line and key.
    public static func load(path: String) throws -> CompareSpec {
        let text = try Scenario.readFile(path)
        let dir = (path as NSString).deletingLastPathComponent
        let source = ScenarioSource(file: path, baseDirectory: dir.isEmpty ? "." : dir)
        let r = try ScenarioReader(yaml: text, source: source)
        let spec = try CompareSpec(reading: r, text: text, file: path, directory: source.baseDirectory)
        try r.finish()
        return spec
    }

    private init(reading r: ScenarioReader, text: String, file: String, directory: String) throws {
        self.text = text
        name = try r.string("name", default: Scenario.defaultName(for: file))
        if !Scenario.isValidName(name) { throw r.error("name", "\"\(name)\" is not a valid run name") }
        output = try r.string("output", default: "runs")

        // The base scenario: a path relative to this file, or an inline mapping.
        guard let baseNode = r.value("base") else {
            throw r.error("base", "missing; allowed: a scenario file path (relative to this file) or an inline scenario")
        }
        if let path = try? r.path("base"), case .scalar = baseNode {
            do { baseYAML = try Scenario.readFile(path) } catch let e as ScenarioError {
                throw r.error("base", "\(e.file): \(e.message)")
            }
            baseFile = path
            baseDirectory = (path as NSString).deletingLastPathComponent
        } else {
            baseYAML = try Yams.serialize(node: baseNode)
            baseFile = file
            baseDirectory = directory
        }

        let malicious = try r.share("malicious") ?? .fraction(0.2)
        let share: String = switch malicious {
        case let .fraction(x): "\(x)"
        case let .count(c): "\(c)"
        }
        attacks = try CompareSpec.entries(r, "attacks", default: ["none"]) { label, node in
            if label == "none" { return "[]" }
            guard Registry.attack(label) != nil else {
                return nil
            }
            guard var mapping = node?.mapping else { return "{kind: \(label), malicious: \(share)}" }
            if mapping["malicious"] == nil { mapping["malicious"] = Node(share) }
            return try Yams.serialize(node: .mapping(mapping))
        } allowed: { "none, " + Registry.attacks.map(\.name).joined(separator: ", ") }
        defenses = try CompareSpec.entries(r, "defenses", default: ["fedavg"]) { label, node in
            guard let node else {
                return Registry.aggregator(label) == nil ? nil : "{aggregator: \(label)}"
            }
            // A full defense section ({aggregator: ..., dp: ...}) or an aggregator mapping ({kind: krum, f: 4}).
            if node.mapping?["aggregator"] != nil { return try Yams.serialize(node: node) }
            guard Registry.aggregator(label) != nil else { return nil }
            return try Yams.serialize(node: .mapping(Node.Mapping([(Node("aggregator"), node)])))
        } allowed: { Registry.aggregators.map(\.name).joined(separator: ", ") }

        seeds = try r.intList("seeds", default: [], element: Interval(0...), count: 0...1000).map { UInt64($0) }
        if let node = r.value("overrides") {
            guard node.mapping != nil else {
                throw r.error("overrides", "expected a mapping of scenario keys such as {federation: {rounds: 30}}")
            }
            overrides = try CompareSpec.flatten(node, prefix: [])
        } else {
            overrides = []
        }
        parallel = try r.int("parallel", default: max(1, ProcessInfo.processInfo.activeProcessorCount / 2),
                             range: .closed(1, 64))
    }

    /// Reads a list of entries (a name, or a mapping with `kind` and an optional `name`).
    private static func entries(_ r: ScenarioReader, _ key: String, default: [String],
                                make: (String, Node?) throws -> String?, allowed: () -> String) throws -> [Entry] {
        guard let node = r.value(key) else {
            return try `default`.map { Entry(label: $0, yaml: try make($0, nil) ?? "") }
        }
        guard case let .sequence(items) = node, !items.isEmpty else {
            throw r.error(key, "expected a non-empty list such as [none, alie], got \(ScenarioReader.describe(node))")
        }
        var out: [Entry] = []
        for (i, item) in items.enumerated() {
            let fail = { (message: String) in r.source.error(r.path + [key, "[\(i)]"], at: item, message) }
            let kind: String
            var label: String
            var body: Node?
            switch item {
            case let .scalar(s):
                kind = s.string
                label = kind
            case var .mapping(m):
                let aggregator = m["aggregator"]
                guard let k = m["kind"]?.scalar?.string ?? aggregator?.mapping?["kind"]?.scalar?.string
                        ?? aggregator?.scalar?.string else {
                    throw fail("expected a name or a mapping with kind; allowed: \(allowed())")
                }
                kind = k
                label = m["name"]?.scalar?.string ?? k
                m["name"] = nil
                body = .mapping(m)
            default:
                throw fail("expected a name or a mapping with kind; allowed: \(allowed())")
            }
            guard let yaml = try make(kind, body) else {
                throw fail("unknown value \"\(kind)\"; allowed: \(allowed())")
            }
            guard !out.contains(where: { $0.label == label }) else {
                throw fail("\"\(label)\" appears twice; give one of them a name:")
            }
            out.append(Entry(label: label, yaml: yaml))
        }
        return out
    }

    /// `{federation: {rounds: 30}}` -> ["federation.rounds=30"] (lists and scalars are leaves).
    private static func flatten(_ node: Node, prefix: [String]) throws -> [String] {
        if case let .mapping(m) = node, !m.isEmpty {
            var out: [String] = []
            for (k, v) in m {
                guard let key = k.scalar?.string else { continue }
                out += try flatten(v, prefix: prefix + [key])
            }
            return out
        }
        var text = try Yams.serialize(node: node)
        while text.hasSuffix("\n") { text.removeLast() }
        if text.hasPrefix("--- ") { text.removeFirst(4) }
        return [prefix.joined(separator: ".") + "=" + text]
    }
}
