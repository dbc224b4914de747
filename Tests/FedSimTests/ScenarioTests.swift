import Foundation
import XCTest
@testable import FedSim

/// Valid scenarios: defaults, the resolved round trip, overrides, paths, fingerprint, quickstart.
final class ScenarioTests: XCTestCase {
    private func parse(_ yaml: String, overrides: [String] = [], base: String = "/data/scenarios",
                       file: String = "scenarios/quickstart.yaml") throws -> Scenario {
        try Scenario.parse(yaml: yaml, file: file, baseDirectory: base, overrides: overrides)
    }

    private static let full = """
        name: full-run_1
        seed: 18446744073709551615
        output: "out dir/\\"quoted\\" \\\\ ä"
        dataset:
          kind: idx
          path: ignored.csv
          train_images: train-images.idx
          train_labels: /abs/train-labels.idx
          test_images: ../test/t10k-images.idx
          test_labels: ./t10k-labels.idx
          normalize: standard
          test_fraction: 0.125
          synthetic: {samples: 500, features: 7, classes: 3, separation: 0}
        partition:
          kind: dirichlet
          alpha: 0.1
          min_samples: 5
          shards_per_client: 3
        model:
          kind: mlp
          hidden: [128, 64, 32]
        federation:
          clients: 1_000
          processes: 40
          rounds: 300
          fraction: 0.1
          local_epochs: 5
          batch_size: 16
          learning_rate: 1e-3
          momentum: 0
          weight_decay: 5.0e-4
          server_learning_rate: 2
          deadline: 12.5
          quorum: 1
          startup_timeout: 600
          heartbeat_timeout: 7.25
        transport:
          kind: tcp
          host: coordinator.lan
          security: none
          port: 5555
        """

    // MARK: - Defaults

    func testEmptyFileGivesAllDefaults() throws {
        let expected = Scenario(name: "quickstart")
        for yaml in ["", "# nothing but a comment\n", "dataset:\npartition: ~\nmodel: null\nfederation: {}\n"] {
            XCTAssertEqual(try parse(yaml), expected, "yaml: \(yaml)")
        }
        let scenario = try parse("")
        XCTAssertEqual(scenario.seed, 1)
        XCTAssertEqual(scenario.output, "runs")
        XCTAssertEqual(scenario.dataset, DatasetConfig(kind: "digits", normalize: .minmax, testFraction: 0.2))
        XCTAssertEqual(scenario.dataset.synthetic,
                       SyntheticConfig(samples: 2000, features: 20, classes: 4, separation: 3.0))
        XCTAssertEqual(scenario.partition, PartitionConfig(kind: "iid", alpha: 0.5, minSamples: 10, shardsPerClient: 2))
        XCTAssertEqual(scenario.model.kind, "mlp")
        XCTAssertEqual(scenario.model.values.ints("hidden"), [64])
        XCTAssertEqual(scenario.federation.clients, 10)
        XCTAssertEqual(scenario.federation.processes, 10)
        XCTAssertEqual(scenario.federation.rounds, 20)
        XCTAssertEqual(scenario.federation.fraction, 1.0)
        XCTAssertEqual(scenario.federation.localEpochs, 1)
        XCTAssertEqual(scenario.federation.batchSize, 32)
        XCTAssertEqual(scenario.federation.learningRate, 0.05)
        XCTAssertEqual(scenario.federation.momentum, 0.9)
        XCTAssertEqual(scenario.federation.weightDecay, 0)
        XCTAssertEqual(scenario.federation.serverLearningRate, 1.0)
        XCTAssertEqual(scenario.federation.deadline, 60)
        XCTAssertEqual(scenario.federation.quorum, 0.5)
        XCTAssertEqual(scenario.federation.startupTimeout, 120)
        XCTAssertEqual(scenario.federation.heartbeatTimeout, 30)
        XCTAssertEqual(scenario.transport, TransportConfig(kind: .ipc, host: "127.0.0.1", port: 0))
    }

    func testProcessesDefaultToClientsAndNameToFileStem() throws {
        let scenario = try parse("federation: {clients: 7}\n", file: "/x/y/my run.v2.yaml")
        XCTAssertEqual(scenario.federation.processes, 7)
        XCTAssertEqual(scenario.name, "my_run.v2")
        XCTAssertEqual(try parse("", file: "<stdin>").name, "_stdin_")
    }

    func testNumbersAndLists() throws {
        let scenario = try parse("""
            federation: {learning_rate: 1, deadline: 3, momentum: 0.0}
            model: {kind: mlp, hidden: []}
            """)
        XCTAssertEqual(scenario.federation.learningRate, 1.0)
        XCTAssertEqual(scenario.federation.deadline, 3.0)
        XCTAssertEqual(scenario.federation.momentum, 0.0)
        XCTAssertEqual(scenario.model.values.ints("hidden"), [], "hidden: [] means no hidden layer")
    }

    // MARK: - Resolved form

    func testResolvedYAMLOfDefaultsIsStable() throws {
        let expected = """
            name: "quickstart"
            seed: 1
            output: "runs"
            dataset:
              kind: digits
              path: null
              train_images: null
              train_labels: null
              test_images: null
              test_labels: null
              normalize: minmax
              test_fraction: 0.2
              synthetic:
                samples: 2000
                features: 20
                classes: 4
                separation: 3.0
            partition:
              kind: iid
              alpha: 0.5
              min_samples: 10
              shards_per_client: 2
            model:
              kind: mlp
              hidden: [64]
              init: he
            federation:
              clients: 10
              processes: 10
              rounds: 20
              fraction: 1.0
              local_epochs: 1
              batch_size: 32
              learning_rate: 0.05
              momentum: 0.9
              weight_decay: 0.0
              server_learning_rate: 1.0
              deadline: 60.0
              quorum: 0.5
              startup_timeout: 120.0
              heartbeat_timeout: 30.0
            transport:
              kind: ipc
              host: "127.0.0.1"
              port: 0
              security: none
              server_secret: null
              server_key: null
              allowed_clients: null
              max_peers: 1024
            attack: []
            defense:
              aggregator:
                kind: fedavg
                weighted: true
            faults:
              dropout: 0.0
              straggler: 0.0
              delay: 1.0
              distribution: exponential

            """
        XCTAssertEqual(try parse("").resolvedYAML(), expected)
    }

    func testResolvedYAMLRoundTrips() throws {
        for yaml in ["", Self.full] {
            let original = try parse(yaml)
            let resolved = original.resolvedYAML()
            // A different file and folder: the resolved form carries its name and absolute paths.
            let again = try parse(resolved, base: "/elsewhere", file: "other.yaml")
            XCTAssertEqual(again, original, resolved)
            XCTAssertEqual(again.resolvedYAML(), resolved)
        }
        let full = try parse(Self.full)
        XCTAssertEqual(full.seed, UInt64.max)
        XCTAssertEqual(full.output, "out dir/\"quoted\" \\ ä")
        XCTAssertEqual(full.federation.clients, 1000)
        XCTAssertEqual(full.federation.learningRate, 0.001)
        XCTAssertEqual(full.federation.weightDecay, 0.0005)
        XCTAssertEqual(full.dataset.synthetic, SyntheticConfig(samples: 500, features: 7, classes: 3, separation: 0))
        XCTAssertEqual(full.transport, TransportConfig(kind: .tcp, host: "coordinator.lan", port: 5555))
        XCTAssertEqual(full.model.values.ints("hidden"), [128, 64, 32])
    }

    // MARK: - Paths

    func testRelativePathsResolveAgainstTheScenarioFolder() throws {
        let scenario = try parse(Self.full, base: "/data/scenarios")
        XCTAssertEqual(scenario.dataset.path, "/data/scenarios/ignored.csv")
        XCTAssertEqual(scenario.dataset.trainImages, "/data/scenarios/train-images.idx")
        XCTAssertEqual(scenario.dataset.trainLabels, "/abs/train-labels.idx")
        XCTAssertEqual(scenario.dataset.testImages, "/data/test/t10k-images.idx")
        XCTAssertEqual(scenario.dataset.testLabels, "/data/scenarios/t10k-labels.idx")
        XCTAssertEqual(scenario.output, "out dir/\"quoted\" \\ ä", "output is not resolved")
    }

    func testLoadResolvesPathsAgainstTheFilesFolder() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("fedsim-scenario-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("csv-run.yaml")
        try "dataset:\n  kind: csv\n  path: data/iris.csv\n".write(to: file, atomically: true, encoding: .utf8)

        let scenario = try Scenario.load(path: file.path)

        XCTAssertEqual(scenario.name, "csv-run")
        XCTAssertEqual(scenario.dataset.path, folder.standardizedFileURL.appendingPathComponent("data/iris.csv").path)
        XCTAssertThrowsError(try Scenario.load(path: file.path, overrides: ["federation.rounds=0"])) { error in
            XCTAssertEqual("\(error)", "--set federation.rounds=0: federation.rounds: 0 is out of range; "
                           + "allowed: 1 <= rounds <= 1000000")
        }
    }

    // MARK: - Overrides

    func testOverridesApplyAndReplace() throws {
        let base = "federation:\n  rounds: 50\nmodel:\n  kind: logistic\n"
        let scenario = try parse(base, overrides: [
            "federation.rounds=3", "model.hidden=[32, 32]", "model.kind=mlp", "transport.port=7000",
            "dataset={kind: csv, path: x.csv}", "seed=42", "seed=43", "name=from-cli",
        ])
        XCTAssertEqual(scenario.federation.rounds, 3)
        XCTAssertEqual(scenario.model.kind, "mlp")
        XCTAssertEqual(scenario.model.values.ints("hidden"), [32, 32])
        XCTAssertEqual(scenario.transport.port, 7000, "a missing section is created")
        XCTAssertEqual(scenario.dataset.kind, "csv")
        XCTAssertEqual(scenario.dataset.path, "/data/scenarios/x.csv")
        XCTAssertEqual(scenario.seed, 43, "the later override wins")
        XCTAssertEqual(scenario.name, "from-cli")
        XCTAssertEqual(try parse("dataset:\n  kind: idx\n  train_images: a\n  train_labels: b\n  test_images: c\n"
                                 + "  test_labels: d\n", overrides: ["dataset.test_images=", "dataset.test_labels=~"])
                        .dataset.testImages, nil, "an empty override value means the default")
    }

    func testOverrideIsValidatedWithTheFile() throws {
        // clients comes from the file, processes from the override: the check sees both.
        XCTAssertEqual(try parse("federation:\n  clients: 10\n", overrides: ["federation.processes=10"])
                        .federation.processes, 10)
        XCTAssertThrowsError(try parse("federation:\n  processes: 8\n", overrides: ["federation.clients=4"])) {
            XCTAssertEqual("\($0)", "scenarios/quickstart.yaml:2:14: federation.processes: 8 is more than "
                           + "federation.clients (4); allowed: 1 <= processes <= clients")
        }
    }

    // MARK: - Fingerprint

    func testFingerprintIsStableIgnoresOutputAndChangesWithSeed() throws {
        let first = try parse(Self.full)
        XCTAssertEqual(first.fingerprint, try parse(Self.full).fingerprint)
        XCTAssertEqual(first.fingerprint, try parse(first.resolvedYAML(), base: "/other").fingerprint)
        XCTAssertEqual(first.fingerprint, try parse(Self.full, overrides: ["output=/tmp/elsewhere"]).fingerprint)
        XCTAssertNotEqual(first.fingerprint, try parse(Self.full, overrides: ["seed=7"]).fingerprint)
        XCTAssertNotEqual(first.fingerprint, try parse(Self.full, overrides: ["federation.rounds=301"]).fingerprint)
        // Published FNV-1a 64 test vectors.
        XCTAssertEqual(Scenario.fnv1a64("".utf8), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(Scenario.fnv1a64("a".utf8), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(Scenario.fnv1a64("foobar".utf8), 0x8594_4171_f739_67e8)
        // The fingerprint is the hash of the resolved form without output and transport.
        let defaults = try parse("")
        let transport = "transport:\n  kind: ipc\n  host: \"127.0.0.1\"\n  port: 0\n  security: none\n"
            + "  server_secret: null\n  server_key: null\n  allowed_clients: null\n  max_peers: 1024\n"
        XCTAssertTrue(defaults.resolvedYAML().contains(transport))
        XCTAssertEqual(defaults.fingerprint, Scenario.fnv1a64(defaults.resolvedYAML()
            .replacingOccurrences(of: "output: \"runs\"\n", with: "")
            .replacingOccurrences(of: transport, with: "").utf8))
        XCTAssertEqual(first.fingerprint, try parse(Self.full, overrides: ["transport.kind=tcp"]).fingerprint)
    }

    // MARK: - Shipped scenarios

    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testDocumentedFullExampleParses() throws {
        let doc = try String(contentsOf: root.appendingPathComponent("docs/SCENARIOS.md"), encoding: .utf8)
        // The full example: the first yaml block that is a whole scenario (smaller ones show single sections).
        var from = doc.startIndex
        var block = ""
        while let start = doc.range(of: "```yaml\n", range: from..<doc.endIndex),
              let end = doc.range(of: "```", range: start.upperBound..<doc.endIndex) {
            block = String(doc[start.upperBound..<end.lowerBound])
            if block.hasPrefix("name:") || block.contains("\nname:") { break }
            from = end.upperBound
        }
        let scenario = try parse(block, base: "/d")
        XCTAssertEqual(scenario.name, "dirichlet-mlp")
        XCTAssertEqual(scenario.dataset.trainImages, "/d/data/train-images-idx3-ubyte")
        XCTAssertEqual(scenario.federation.processes, 10)
        XCTAssertEqual(scenario.transport.kind, .tcp)
    }

    func testQuickstartParses() throws {
        let scenario = try Scenario.load(path: root.appendingPathComponent("scenarios/quickstart.yaml").path)
        XCTAssertEqual(scenario.name, "quickstart")
        XCTAssertEqual(scenario.seed, 1)
        XCTAssertEqual(scenario.dataset.kind, "digits")
        XCTAssertEqual(scenario.partition.kind, "iid")
        XCTAssertEqual(scenario.model.kind, "mlp")
        XCTAssertEqual(scenario.model.values.ints("hidden"), [64])
        XCTAssertEqual(scenario.federation.clients, 10)
        XCTAssertEqual(scenario.federation.processes, 10)
        XCTAssertEqual(scenario.federation.rounds, 20)
        XCTAssertEqual(scenario.federation.fraction, 1.0)
        XCTAssertEqual(scenario.federation.batchSize, 32)
        XCTAssertEqual(scenario.federation.momentum, 0.9)
    }
}

/// The reader on its own: a section added later (here a stand-in) needs only its own type.
final class ScenarioReaderTests: XCTestCase {
    private struct Probe: ScenarioSection, Equatable {
        static let key = "probe"
        var enabled: Bool
        var label: String?

        init(reading reader: ScenarioReader) throws {
            enabled = try reader.bool("enabled", default: false)
            label = try reader.string("label")
        }

        var resolvedFields: [(String, ResolvedValue)] { [("enabled", .word("\(enabled)")), ("label", .string(label))] }
    }

    private func read(_ yaml: String) throws -> Probe {
        let source = ScenarioSource(file: "p.yaml", baseDirectory: "/")
        let root = try ScenarioReader(yaml: yaml, source: source)
        let probe = try root.section(Probe.self)
        try root.finish()
        return probe
    }

    func testBoolAndOptionalString() throws {
        XCTAssertEqual(try read("probe: {enabled: true, label: x}\n").enabled, true)
        XCTAssertEqual(try read("probe: {enabled: off}\n").enabled, false)
        XCTAssertEqual(try read("").label, nil)
        XCTAssertThrowsError(try read("probe:\n  enabled: maybe\n")) {
            XCTAssertEqual("\($0)", "p.yaml:2:12: probe.enabled: expected true or false, got \"maybe\"")
        }
        XCTAssertThrowsError(try read("probe:\n  enabled: yes\n  lable: x\n")) {
            XCTAssertEqual("\($0)", "p.yaml:3:3: probe.lable: unknown key; did you mean label? allowed: enabled, label")
        }
        XCTAssertThrowsError(try read("other: 1\n")) {
            XCTAssertEqual("\($0)", "p.yaml:1:1: other: unknown key; allowed: probe")
        }
    }

    func testResolvedValueQuoting() {
        XCTAssertEqual(ResolvedValue.quoted("a\"b\\c\nd\u{1}é"), "\"a\\\"b\\\\c\\nd\\u0001é\"")
    }
}
