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
        let all = try files("") + files("attacks") + files("defenses") + files("fedsgd")
        XCTAssertGreaterThan(all.count, 10)
        for file in all {
            XCTAssertNoThrow(try Scenario.load(path: file.path), file.lastPathComponent)
        }
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
