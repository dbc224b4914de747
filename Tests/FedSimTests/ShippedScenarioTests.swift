@testable import FedSim
import Foundation
import XCTest

/// Every scenario shipped in scenarios/ loads, and each attack scenario mounts the attack its
/// file name says.
final class ShippedScenarioTests: XCTestCase {
    private static let scenarios: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("scenarios")
    }()

    private func files(_ folder: String) throws -> [URL] {
        let dir = ShippedScenarioTests.scenarios.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
    }

    func testEveryShippedScenarioLoads() throws {
        let all = try files("") + files("attacks") + files("defenses") + files("fedsgd") + files("threats")
        XCTAssertGreaterThan(all.count, 10)
        for file in all {
            XCTAssertNoThrow(try Scenario.load(path: file.path), file.lastPathComponent)
        }
    }

    /// The FLUTE workload (docs/BENCHMARKS.md) has FLUTE's shape with the generated data its
    /// comment gives (the MNIST files need the data): 1,000 clients, 10 per round, 100 rounds,
    /// 784 x 10 + 10 parameters.
    func testFluteScenarioIsFlutesWorkload() throws {
        let path = ShippedScenarioTests.scenarios.appendingPathComponent("bench/flute-mnist-lr.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let override = try XCTUnwrap(text.split(separator: "\n").first { $0.contains("--set 'dataset=") }
            .flatMap { line in line.split(separator: "'").dropFirst().first.map(String.init) })
        // Fewer generated rows keep the test quick; the test share stays 1/7 (MNIST's 10,000 of 70,000).
        let s = try Scenario.load(path: path, overrides: [override, "dataset.synthetic.samples=7000"])
        XCTAssertEqual(s.federation.clients, 1_000)
        XCTAssertEqual(Double(s.federation.clients) * s.federation.fraction, 10, accuracy: 1e-9)
        XCTAssertEqual(s.federation.rounds, 100)
        let data = try FederationData.prepare(s)
        XCTAssertEqual(data.model.parameterCount, 784 * 10 + 10)
        XCTAssertEqual(data.test.count, 1_000)
        XCTAssertEqual(data.train.count, 6_000)
    }

    /// Each model scenario loads and its model builds for its data's sample shape.
    func testModelScenariosPrepare() throws {
        let all = try files("models")
        XCTAssertFalse(all.isEmpty)
        for file in all {
            let s = try Scenario.load(path: file.path)
            let data = try FederationData.prepare(s)
            XCTAssertEqual(data.initialParameters.count, data.model.parameterCount, file.lastPathComponent)
        }
    }

    /// Every shipped comparison loads; every cell of the pre-aggregation comparison builds
    /// (no rule's bound fails on the bucket means or mixed rows).
    func testEveryShippedComparisonLoads() throws {
        for file in try files("compare") {
            XCTAssertNoThrow(try CompareSpec.load(path: file.path), file.lastPathComponent)
        }
        let spec = try CompareSpec.load(path: ShippedScenarioTests.scenarios.appendingPathComponent("compare/pre-aggregation.yaml").path)
        let cells = CompareCell.all(spec, baseSeed: try spec.baseScenario().seed)
        XCTAssertEqual(cells.count, 12)
        var steps: Set<String> = []
        for cell in cells { steps.formUnion(try cell.scenario(spec).defense.preAggregation.map(\.kind)) }
        XCTAssertEqual(steps, ["bucketing", "nnm"])
    }

    /// The speed benchmark's matrix is the issue's: 11 attacks x 10 defences x 3 seeds (330 cells) on
    /// digits, 20 clients of which 4 malicious, 30 rounds of 5 local epochs; its attacks and defences
    /// are the numpy simulator's lists (scripts/bench_compare_reference.py), and that simulator passes
    /// its self-test when a Python environment is given (FEDSIM_PYTHON, set by scripts/test).
    func testBenchMatrixIsTheNumpySimulatorsMatrix() throws {
        let spec = try CompareSpec.load(path: ShippedScenarioTests.scenarios.appendingPathComponent("compare/bench-matrix.yaml").path)
        let cells = CompareCell.all(spec, baseSeed: try spec.baseScenario().seed)
        XCTAssertEqual(cells.count, 330)
        let s = try cells[cells.count - 1].scenario(spec)
        XCTAssertEqual([s.federation.clients, s.federation.rounds, s.federation.localEpochs, s.federation.batchSize], [20, 30, 5, 16])
        XCTAssertEqual(s.attacks.first.map { $0.malicious.count(of: 20) }, 4)
        let script = ShippedScenarioTests.scenarios.deletingLastPathComponent().appendingPathComponent("scripts/bench_compare_reference.py")
        let source = try String(contentsOf: script, encoding: .utf8)
        func list(_ name: String) -> [String] {
            guard let start = source.range(of: "\n" + name + " = ["),
                  let end = source[start.upperBound...].firstIndex(of: "]") else { return [] }
            return source[start.upperBound..<end].split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
        XCTAssertEqual(spec.attacks.map(\.label), list("ATTACKS"))
        XCTAssertEqual(spec.defenses.map(\.label), list("DEFENSES"))
        guard let python = ProcessInfo.processInfo.environment["FEDSIM_PYTHON"], !python.isEmpty else {
            throw XCTSkip("FEDSIM_PYTHON is not set (scripts/test sets it to a venv with numpy)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script.path, "--self-test"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "scripts/bench_compare_reference.py --self-test failed")
    }

    /// The reproduction suite states the ICLR 2022 bucketing matrix (Karimireddy, He & Jaggi):
    /// 5 attacks x 4 rules with and without bucketing s = 2 x 3 seeds, 25 workers of which 5
    /// Byzantine, sorted data, FedSGD with batch 32, lr 0.01 and 600 steps; momentum 0.9 and 0;
    /// on MNIST (the folder from FEDSIM_DATA) and on digits. Every cell builds.
    func testReproductionSuiteIsTheBucketingMatrix() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("fedsim-repro-\(getpid())").path
        try FileManager.default.createDirectory(atPath: data + "/mnist", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: data + "/cifar10", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: data) }
        setenv("FEDSIM_DATA", data, 1)
        defer { unsetenv("FEDSIM_DATA") }
        let files = ["bucketing-digits.yaml": 0.9, "bucketing-digits-momentum0.yaml": 0.0,
                     "bucketing-mnist.yaml": 0.9, "bucketing-mnist-momentum0.yaml": 0.0]
        XCTAssertEqual(try self.files("reproduce").map(\.lastPathComponent).filter { !$0.contains("-base") }.sorted(),
                       (files.keys + ["agr-cifar10.yaml"]).sorted())
        for (name, momentum) in files {
            let spec = try CompareSpec.load(path: ShippedScenarioTests.scenarios.appendingPathComponent("reproduce/" + name).path)
            let cells = CompareCell.all(spec, baseSeed: try spec.baseScenario().seed)
            XCTAssertEqual(cells.count, 120, name)
            var rules: Set<String> = [], bucketed = 0, attacks: Set<String> = []
            for cell in cells {
                let s = try cell.scenario(spec)
                XCTAssertEqual([s.federation.clients, s.federation.rounds, s.federation.batchSize], [25, 600, 32], name)
                XCTAssertEqual(s.federation.mode, .fedsgd, name)
                XCTAssertEqual(s.federation.learningRate, 0.01, name)
                XCTAssertEqual(s.federation.momentum, momentum, name)
                XCTAssertEqual(s.partition.kind, "sorted", name)
                XCTAssertEqual(s.attacks.map { $0.malicious.count(of: 25) }, [5], name)
                rules.insert(s.defense.aggregator.kind)
                attacks.formUnion(s.attacks.map(\.kind))
                if s.defense.preAggregation.map(\.kind) == ["bucketing"] { bucketed += 1 }
            }
            XCTAssertEqual(rules, ["median", "krum", "geomed", "centered-clipping"], name)
            XCTAssertEqual(attacks, ["alie", "sign-flip", "ipm", "label-flip", "mimic"], name)
            XCTAssertEqual(bucketed, 60, name)
        }
        // Shejwalkar & Houmansadr (NDSS 2021), CIFAR-10: 50 clients, 10 malicious with full
        // knowledge, min-max and min-sum (and no attack) against four rules.
        let spec = try CompareSpec.load(path: ShippedScenarioTests.scenarios.appendingPathComponent("reproduce/agr-cifar10.yaml").path)
        let cells = CompareCell.all(spec, baseSeed: try spec.baseScenario().seed)
        XCTAssertEqual(cells.count, 12)
        var rules: Set<String> = []
        for cell in cells {
            let s = try cell.scenario(spec)
            XCTAssertEqual(s.federation.clients, 50)
            XCTAssertEqual(s.dataset.kind, "cifar10")
            rules.insert(s.defense.aggregator.kind)
            for a in s.attacks {
                XCTAssertEqual(a.malicious.count(of: 50), 10)
                XCTAssertEqual(a.knowledge, .omniscient)
            }
        }
        XCTAssertEqual(rules, ["trimmed-mean", "median", "multi-krum", "bulyan"])
    }

    func testAttackScenariosCoverEveryAttack() throws {
        var kinds: Set<String> = []
        for file in try files("attacks") {
            let s = try Scenario.load(path: file.path)
            let stem = file.deletingPathExtension().lastPathComponent
            XCTAssertEqual(s.federation.clients, 20, stem)
            kinds.formUnion(s.attacks.map(\.kind))
            if Registry.attack(stem) != nil { XCTAssertEqual(s.attacks.map(\.kind), [stem], stem) }
        }
        XCTAssertEqual(kinds, Set(Registry.attacks.map(\.name)))
    }

    /// The FedSGD scenarios state the setting of Karimireddy, He & Jaggi (ICLR 2022): 25
    /// workers, batch 32, lr 0.01, 600 steps of one gradient each, worker momentum 0 or 0.9.
    func testFedSGDScenariosAreThePapersSetting() throws {
        let all = try files("fedsgd")
        XCTAssertEqual(all.map(\.lastPathComponent), ["alie-centered-clipping.yaml", "no-momentum.yaml", "worker-momentum.yaml"])
        for file in all {
            let f = try Scenario.load(path: file.path).federation
            let name = file.lastPathComponent
            XCTAssertEqual(f.mode, .fedsgd, name)
            XCTAssertEqual(f.momentumBuffer, .worker, name)
            XCTAssertFalse(f.momentumDampening, name)
            XCTAssertEqual([f.clients, f.batchSize, f.rounds, f.localEpochs], [25, 32, 600, 1], name)
            XCTAssertEqual(f.fraction, 1, name)
            XCTAssertEqual(f.learningRate, 0.01, name)
            XCTAssertEqual(f.serverStep, Float(0.01), name)
            XCTAssertEqual(f.momentum, name == "no-momentum.yaml" ? 0 : 0.9, name)
        }
    }
}
