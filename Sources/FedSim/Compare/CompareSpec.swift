import FedCore
import FedResults
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
        /// The same value as set into each cell's scenario, its nodes keeping this file's lines.
        var graft: ScenarioGraft
        /// Top-level sections the entry also sets (a defense's `local_training:`, for
        /// adversarial training as a column of the matrix).
        var lifted: [ScenarioGraft] = []
        /// Every graft of the entry, in order.
        var grafts: [ScenarioGraft] { [graft] + lifted }

        public static func == (a: Entry, b: Entry) -> Bool { a.label == b.label && a.yaml == b.yaml }
    }

    /// One swept scenario key (`axes:`): its key path and values; every cell of the matrix
    /// runs once per value (the product over all axes).
    public struct Axis: Sendable {
        /// The key path as written (`attack.malicious`, `attack[1].z`): compare.csv's column.
        public var key: String
        /// Its segments as the scenario reader names them (`attack`, `[1]`, `z`).
        var path: [String]
        /// The values as written, in order.
        public var values: [String]
        /// Each value as set into a cell's scenario, its node keeping this file's line.
        var grafts: [ScenarioGraft]

        /// Whether the axis applies to an attack entry: keys under `attack` do not apply to
        /// `none` (no attack group to set them on), which runs once, its column empty.
        func applies(to attack: Entry) -> Bool { !(path.first == AttackGroupConfig.key && Axis.isNoAttack(attack)) }

        /// The entry `none`: an empty list of attack groups.
        static func isNoAttack(_ attack: Entry) -> Bool {
            guard case let .sequence(groups) = attack.graft.value else { return false }
            return groups.isEmpty
        }
    }

    public var name: String
    public var output: String
    /// Swept keys (`axes:`), in the file's order; empty without a sweep.
    public var axes: [Axis] = []
    /// The base scenario's YAML text, the file it came from (for errors) and its folder
    /// (relative dataset paths resolve against it).
    public var baseYAML: String
    public var baseFile: String
    public var baseDirectory: String
    /// An inline base, as this file's nodes (so that its errors name this file's lines).
    var baseGraft: ScenarioGraft?
    public var attacks: [Entry]
    public var defenses: [Entry]
    /// Seeds; empty means the base scenario's own seed.
    public var seeds: [UInt64]
    /// `key.path=value` overrides applied to every cell (from `overrides:`).
    public var overrides: [String]
    /// The same overrides as values of this file (errors name its lines, not `--set`).
    var overrideGrafts: [ScenarioGraft]
    /// `fedsim compare --set key=value`: applied to every cell after the file's own values
    /// (so a smaller run of the same matrix is one option); errors name the `--set`.
    public var commandLineOverrides: [String] = []
    public var parallel: Int
    /// How each cell's clients are spread over client processes (`processes:`).
    public var processes: CellProcesses = .pack
    /// Where each cell runs: inside the compare process or as `fedsim run` processes (`isolation:`).
    public var isolation: CellIsolation = .auto
    /// The spec as written, for the results folder.
    public var text: String

    /// Reads a comparison file; every problem is a one-line error naming file, line and key.
    public static func load(path: String, overrides: [String] = []) throws -> CompareSpec {
        let text = try Scenario.readFile(path)
        let dir = (path as NSString).deletingLastPathComponent
        let source = ScenarioSource(file: path, baseDirectory: dir.isEmpty ? "." : dir)
        let r = try ScenarioReader(yaml: text, source: source)
        var spec = try CompareSpec(reading: r, text: text, file: path, directory: source.baseDirectory)
        spec.commandLineOverrides = overrides
        try r.finish()
        try spec.check()
        return spec
    }

    /// Builds every cell's scenario, so that what the file says is checked whole before any
    /// cell starts: an unknown key, a bad value or an unknown kind in an entry or in
    /// `overrides:` throws, placed at this file's line. A rule's bound on n and f that does not
    /// hold (`isPrecondition`) is not thrown: the comparison records that cell as failed.
    func check() throws {
        let base = try baseScenario()
        for cell in CompareCell.all(self, baseSeed: base.seed) {
            do {
                _ = try cell.scenario(self)
            } catch let error as ScenarioError where error.isPrecondition {
                continue
            }
        }
    }

    /// The base scenario with the comparison's overrides.
    /// Settings of the attack group (`attack.scale=5`) are left to the cells: every cell sets
    /// its own `attack:` section (and `none` has no group to set them on).
    func baseScenario() throws -> Scenario {
        try scenario(grafts: overrideGrafts.filter { $0.path.first != AttackGroupConfig.key },
                     overrides: commandLineOverrides.filter { !CompareSpec.setsAttackGroup($0) })
    }

    /// Whether a `--set` text sets a key of the attack groups (`attack.x=`, `attack[i].x=`).
    static func setsAttackGroup(_ text: String) -> Bool {
        text.hasPrefix(AttackGroupConfig.key + ".") || text.hasPrefix(AttackGroupConfig.key + "[")
    }

    /// The base scenario with `grafts` (this file's nodes), then `overrides` (`key.path=value`).
    func scenario(grafts: [ScenarioGraft], overrides: [String]) throws -> Scenario {
        guard let baseGraft else {
            return try Scenario.parse(yaml: baseYAML, file: baseFile, baseDirectory: baseDirectory, grafts: grafts,
                                      overrides: overrides)
        }
        return try Scenario.parse(yaml: "", file: baseFile, baseDirectory: baseDirectory, grafts: [baseGraft] + grafts,
                                  overrides: overrides)
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
            baseGraft = nil
        } else {
            baseGraft = ScenarioGraft(path: [], value: baseNode, file: file, shownPath: ["base"])
            baseYAML = try Yams.serialize(node: baseNode)
            baseFile = file
            baseDirectory = directory
        }

        let malicious = try r.share("malicious") ?? .fraction(0.2)
        let share: String = switch malicious {
        case let .fraction(x): "\(x)"
        case let .count(c): "\(c)"
        }
        attacks = try CompareSpec.entries(r, "attacks", section: AttackGroupConfig.key, default: ["none"],
                                          empty: "at least one attack (none for no attack)") { label, node in
            if label == "none" { return (Node([Node]()), []) }
            guard Registry.attack(label) != nil else {
                return nil
            }
            guard var mapping = node?.mapping else {
                return (Node([(Node("kind"), Node(label)), (Node("malicious"), Node(share))]), [])
            }
            if mapping["malicious"] == nil { mapping["malicious"] = Node(share) }
            return (.mapping(mapping), [])
        } allowed: { "none, " + Registry.attacks.map(\.name).joined(separator: ", ") }
        defenses = try CompareSpec.entries(r, "defenses", section: DefenseConfig.key, default: ["fedavg"],
                                           empty: "at least one defense (fedavg for plain averaging)", lift: ["local_training"]) { label, node in
            guard let node else {
                return Registry.aggregator(label) == nil ? nil : (Node([(Node("aggregator"), Node(label))]), ["aggregator"])
            }
            // A full defense section ({aggregator: ..., dp: ...}) or an aggregator mapping ({kind: krum, f: 4}).
            if node.mapping?["aggregator"] != nil { return (node, []) }
            guard Registry.aggregator(label) != nil else { return nil }
            return (.mapping(Node.Mapping([(Node("aggregator"), node)])), ["aggregator"])
        } allowed: { Registry.aggregators.map(\.name).joined(separator: ", ") }

        axes = try CompareSpec.axes(r, file: file)
        seeds = try r.intList("seeds", default: [], element: Interval(0...), count: 0...1000).map { UInt64($0) }
        if let node = r.value("overrides") {
            guard node.mapping != nil else {
                throw r.error("overrides", "expected a mapping of scenario keys such as {federation: {rounds: 30}}")
            }
            overrides = try CompareSpec.flatten(node, prefix: [])
            overrideGrafts = CompareSpec.grafts(node, prefix: [], mark: node.mark, file: file)
        } else {
            overrides = []
            overrideGrafts = []
        }
        isolation = try CellIsolation(r)
        parallel = try r.int("parallel", default: CompareSpec.defaultParallel(isolation, cores: ProcessInfo.processInfo.activeProcessorCount),
                             range: .closed(1, 64))
        processes = try CellProcesses(r)
    }

    /// Cells at once when the file does not say (`parallel:`): twice the cores for cells run
    /// inside the compare process (a cell's coordinator and clients take turns, so one cell keeps
    /// about half a core busy: on 2 cores the 12-cell digits matrix took 3.35 s at 2, 2.9 s at 3
    /// and 2.55 s at 4), half the cores with `isolation: process` (each cell is several processes).
    static func defaultParallel(_ isolation: CellIsolation, cores: Int) -> Int {
        isolation == .process ? max(1, cores / 2) : min(64, max(1, 2 * cores))
    }

    /// Reads a list of entries (a name, or a mapping with `kind` and an optional `name`).
    /// `make` gives the scenario's `section` value for a kind and the entry's mapping, and the
    /// segments of it the entry does not write (left out of key paths in errors).
    ///
    /// Keys of an entry's mapping listed in `lift` are not part of `section`: each is set as a
    /// top-level section of the cell's scenario (`local_training` of a defense entry).
    private static func entries(_ r: ScenarioReader, _ key: String, section: String, default: [String], empty: String,
                                lift: [String] = [],
                                make: (String, Node?) throws -> (Node, [String])?,
                                allowed: () -> String) throws -> [Entry] {
        func entry(_ label: String, _ value: Node, hidden: [String], shown: [String], mark: Mark?,
                   lifted: [(String, Node)] = []) throws -> Entry {
            var shownValue = value
            if var m = value.mapping, !lifted.isEmpty {
                for (k, v) in lifted { m[k] = v }
                shownValue = .mapping(m)
            }
            var yaml = try Yams.serialize(node: shownValue)
            while yaml.hasSuffix("\n") { yaml.removeLast() }
            return Entry(label: label, yaml: yaml,
                         graft: ScenarioGraft(path: [section], value: value, file: r.source.file, shownPath: shown,
                                              hidden: hidden, mark: mark),
                         lifted: lifted.map { k, v in
                             ScenarioGraft(path: [k], value: v, file: r.source.file, shownPath: shown + [k], mark: v.mark)
                         })
        }
        guard let node = r.value(key) else {
            return try `default`.compactMap { label in
                try make(label, nil).map { try entry(label, $0.0, hidden: $0.1, shown: r.path + [key], mark: nil) }
            }
        }
        guard case let .sequence(items) = node else {
            throw r.error(key, "expected a list such as [none, alie], got \(ScenarioReader.describe(node))")
        }
        guard !items.isEmpty else { throw r.error(key, "the list is empty; allowed: \(empty)") }
        var out: [Entry] = []
        for (i, item) in items.enumerated() {
            let fail = { (message: String) in r.source.error(r.path + [key, "[\(i)]"], at: item, message) }
            let kind: String
            var label: String
            var body: Node?
            var lifted: [(String, Node)] = []
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
                for l in lift { if let v = m[l] { lifted.append((l, v)); m[l] = nil } }
                body = .mapping(m)
            default:
                throw fail("expected a name or a mapping with kind; allowed: \(allowed())")
            }
            guard let (value, hidden) = try make(kind, body) else {
                let names = allowed().components(separatedBy: ", ")
                throw fail("unknown value \"\(kind)\";\(Suggestion.hint(for: kind, among: names)) allowed: \(allowed())")
            }
            guard !out.contains(where: { $0.label == label }) else {
                throw fail("\"\(label)\" appears twice; give one of them a name:")
            }
            out.append(try entry(label, value, hidden: hidden, shown: r.path + [key, "[\(i)]"], mark: item.mark, lifted: lifted))
        }
        return out
    }

    /// Reads `axes: {attack.malicious: [0.1, 0.2], partition.alpha: [0.1, 1.0]}`: each key a
    /// scenario key path, each value a non-empty list of distinct scalars.
    private static func axes(_ r: ScenarioReader, file: String) throws -> [Axis] {
        guard let node = r.value("axes") else { return [] }
        guard case let .mapping(m) = node else {
            throw r.error("axes", "expected a mapping of scenario keys to lists of values such as {attack.malicious: [0.1, 0.2]}")
        }
        var out: [Axis] = []
        for (k, v) in m {
            let key = k.scalar?.string ?? ""
            let fail = { (at: Node, message: String) in r.source.error(r.path + ["axes", key], at: at, message) }
            guard let path = ScenarioOverrides.segments(key) else {
                throw fail(k, "not a key path; allowed: names joined by dots, a list entry as name[i], e.g. attack.malicious")
            }
            if ["seed", "name", "output"].contains(path[0]) && path.count == 1 {
                throw fail(k, "cannot be swept; allowed: any scenario key but seed (use seeds:), name and output")
            }
            guard case let .sequence(items) = v, !items.isEmpty else {
                throw fail(v, "expected a non-empty list of values such as [0.1, 0.2, 0.3], got \(ScenarioReader.describe(v))")
            }
            var values: [String] = [], grafts: [ScenarioGraft] = []
            for (i, item) in items.enumerated() {
                guard let text = item.scalar?.string else {
                    throw r.source.error(r.path + ["axes", key, "[\(i)]"], at: item,
                                         "expected a scalar value (a number, a word or a flag), got \(ScenarioReader.describe(item))")
                }
                let segment = CompareRow.AxisValue(key: key, value: text).segment
                if values.contains(where: { CompareRow.AxisValue(key: key, value: $0).segment == segment }) {
                    throw r.source.error(r.path + ["axes", key, "[\(i)]"], at: item,
                                         "\"\(text)\" appears twice (as a cell folder name); allowed: distinct values")
                }
                values.append(text)
                grafts.append(ScenarioGraft(path: path, value: item, file: file, shownPath: ["axes", key, "[\(i)]"],
                                            mark: item.mark))
            }
            if out.contains(where: { $0.key == key }) { throw fail(k, "appears twice") }
            out.append(Axis(key: key, path: path, values: values, grafts: grafts))
        }
        return out
    }

    /// `{federation: {rounds: 30}}` -> one graft at `federation.rounds` per leaf, like `flatten`;
    /// errors about a leaf's key (unknown key) go to the key's line in this file.
    private static func grafts(_ node: Node, prefix: [String], mark: Mark?, file: String) -> [ScenarioGraft] {
        if case let .mapping(m) = node, !m.isEmpty {
            var out: [ScenarioGraft] = []
            for (k, v) in m {
                guard let key = k.scalar?.string else { continue }
                out += grafts(v, prefix: prefix + [key], mark: k.mark, file: file)
            }
            return out
        }
        return [ScenarioGraft(path: prefix, value: node, file: file, shownPath: ["overrides"] + prefix, mark: mark)]
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
