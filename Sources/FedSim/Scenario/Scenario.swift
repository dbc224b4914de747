import FedCore
import Foundation
import FedRobust
import Yams
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A scenario file, read and validated: everything one simulation run needs to know.
///
/// Read with `Scenario.load(path:overrides:)`; every problem is a `ScenarioError` whose
/// description is one line naming the file, line, column and key path. `resolvedYAML()` writes
/// every key with its value (defaults filled in, dataset paths absolute) and reads back to the
/// same scenario.
public struct Scenario: Sendable, Equatable {
    /// Run name: letters, digits, `.`, `_`, `-`; defaults to the file's stem. A run writes to
    /// `<output>/<name>/`.
    public var name: String
    /// Seed for every random choice of the run (0...UInt64.max).
    public var seed: UInt64
    public var dataset: DatasetConfig
    public var partition: PartitionConfig
    public var model: ModelConfig
    public var federation: FederationConfig
    public var transport: TransportConfig
    /// Malicious client groups (`attack:`); empty: every client is honest.
    public var attacks: [AttackGroupConfig]
    /// The server's aggregation rule, pre-processing and differential privacy (`defense:`).
    public var defense: DefenseConfig
    /// Injected client faults: dropouts and stragglers (`faults:`).
    public var faults: FaultsConfig
    /// Threat evaluations of the global model (`evaluate:`); empty: none.
    public var evaluate: EvaluateConfig
    /// Results folder, relative to the current directory (not to the scenario file).
    public var output: String

    public init(name: String, seed: UInt64 = 1, dataset: DatasetConfig = DatasetConfig(),
                partition: PartitionConfig = PartitionConfig(), model: ModelConfig = ModelConfig(),
                federation: FederationConfig = FederationConfig(), transport: TransportConfig = TransportConfig(),
                attacks: [AttackGroupConfig] = [], defense: DefenseConfig = DefenseConfig(),
                faults: FaultsConfig = FaultsConfig(), evaluate: EvaluateConfig = EvaluateConfig(),
                output: String = "runs") {
        self.name = name
        self.seed = seed
        self.dataset = dataset
        self.partition = partition
        self.model = model
        self.federation = federation
        self.transport = transport
        self.attacks = attacks
        self.defense = defense
        self.faults = faults
        self.evaluate = evaluate
        self.output = output
    }

    // MARK: - Loading

    /// Reads the scenario file at `path` (relative dataset paths resolve against its folder)
    /// and applies `overrides` (`key.path=value`, as given to `--set`). Throws `ScenarioError`.
    public static func load(path: String, overrides: [String] = []) throws -> Scenario {
        let text = try readFile(path)
        var directory = (path as NSString).deletingLastPathComponent
        if directory.isEmpty { directory = "." }
        return try parse(yaml: text, file: path, baseDirectory: directory, overrides: overrides)
    }

    /// Parses scenario text. `file` names it in errors and gives the default `name` (its stem);
    /// relative dataset paths resolve against `baseDirectory` (itself relative to the current
    /// directory when not absolute). Throws `ScenarioError`.
    public static func parse(yaml: String, file: String, baseDirectory: String,
                             overrides: [String] = []) throws -> Scenario {
        try parse(yaml: yaml, file: file, baseDirectory: baseDirectory, grafts: [], overrides: overrides)
    }

    /// `parse`, with `grafts` (values from another file, such as a comparison's entries)
    /// applied before `overrides`; errors under a graft name its file, line and key.
    static func parse(yaml: String, file: String, baseDirectory: String, grafts: [ScenarioGraft],
                      overrides: [String]) throws -> Scenario {
        let source = ScenarioSource(file: file, baseDirectory: baseDirectory)
        var root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ScenarioSource.syntaxError(error, file: file, yaml: yaml)
        }
        root = try ScenarioOverrides.apply(grafts, to: root, source: source)
        root = try ScenarioOverrides.apply(overrides, to: root, source: source)
        let reader = try ScenarioReader(root, path: [], source: source)
        let scenario = try Scenario(reading: reader, defaultName: defaultName(for: file))
        try reader.finish()
        return scenario
    }

    private init(reading reader: ScenarioReader, defaultName: String) throws {
        // Read in the documented key order: it is the order of "allowed:" lists in errors.
        let name = try reader.string("name", default: defaultName)
        if !Scenario.isValidName(name) {
            throw reader.error("name", "\"\(name)\" is not a valid run name; allowed: letters, digits, "
                               + "\".\", \"_\" and \"-\", not starting with \".\", at most 128 characters")
        }
        let seed = try reader.int("seed", default: 1, range: Interval(0...UInt64.max))
        let output = try reader.string("output", default: "runs")
        let dataset = try reader.section(DatasetConfig.self)
        let partition = try reader.section(PartitionConfig.self)
        let model = try reader.section(ModelConfig.self)
        let federation = try reader.section(FederationConfig.self)
        self.init(
            name: name, seed: seed, dataset: dataset, partition: partition, model: model, federation: federation,
            transport: try reader.section(TransportConfig.self),
            attacks: try AttackGroupConfig.readAll(reader, clients: federation.clients, rounds: federation.rounds),
            defense: try reader.section(DefenseConfig.self),
            faults: try reader.section(FaultsConfig.self),
            evaluate: try reader.section(EvaluateConfig.self),
            output: output)
        // The rule's bounds on n and f are checked here, before any process starts.
        do {
            try DefenseFactory.check(defense, perRound: ClientSampler(self).perRound)
        } catch let error as AggregatorError {
            var failure = reader.error("defense", "\(error) (\(DefenseFactory.rowsNote(defense, perRound: ClientSampler(self).perRound)))")
            failure.isPrecondition = true
            throw failure
        }
    }

    // MARK: - Resolved form

    /// Every key with its value, defaults filled in, in a stable order; parses back to `self`.
    public func resolvedYAML() -> String {
        ResolvedValue.yaml(resolvedFields(includingOutput: true))
    }

    /// FNV-1a 64 of `resolvedYAML()` without the `output` line, so processes can check that
    /// they loaded the same scenario wherever their results go.
    public var fingerprint: UInt64 {
        // Where results go and how processes connect (transport, key files) differ between
        // machines of one federation; they are not part of the experiment.
        let fields = resolvedFields(includingOutput: false).filter { $0.0 != TransportConfig.key }
        return Scenario.fnv1a64(ResolvedValue.yaml(fields).utf8)
    }

    /// FNV-1a, 64-bit: start at the offset basis 0xcbf29ce484222325; for each byte,
    /// `hash = (hash ^ byte) &* 0x100000001b3`.
    static func fnv1a64<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    private func resolvedFields(includingOutput: Bool) -> [(String, ResolvedValue)] {
        var fields: [(String, ResolvedValue)] = [("name", .string(name)), ("seed", .int(seed))]
        if includingOutput { fields.append(("output", .string(output))) }
        fields += [ResolvedValue.entry(dataset), ResolvedValue.entry(partition), ResolvedValue.entry(model),
                   ResolvedValue.entry(federation), ResolvedValue.entry(transport),
                   (AttackGroupConfig.key, .mappings(attacks.map(\.resolvedFields))), ResolvedValue.entry(defense),
                   ResolvedValue.entry(faults)]
        // Only when something is evaluated, so scenarios without it keep their fingerprints.
        if !evaluate.isEmpty { fields.append(ResolvedValue.entry(evaluate)) }
        return fields
    }

    // MARK: - Helpers

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy(isNameScalar)
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
            || scalar == "." || scalar == "_" || scalar == "-"
    }

    /// The file's stem with characters a run name cannot hold replaced by `_`.
    static func defaultName(for file: String) -> String {
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        var name = String(String.UnicodeScalarView(stem.unicodeScalars.map { isNameScalar($0) ? $0 : "_" }))
        while name.hasPrefix(".") { name.removeFirst() }
        name = String(name.prefix(128))
        return name.isEmpty ? "scenario" : name
    }

    /// The whole file as UTF-8 text, or a `ScenarioError` with the system's reason.
    static func readFile(_ path: String) throws -> String {
        func failure(_ reason: String) -> ScenarioError {
            ScenarioError(file: path, message: "cannot read: \(reason)")
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw failure(systemErrorText(errno)) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(systemErrorText(errno))
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            if bytes.count > 16 << 20 { throw failure("file is larger than 16 MiB") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw failure("not valid UTF-8 text")
        }
        return text
    }
}
