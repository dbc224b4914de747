import FedResults
import FedTestSupport
@testable import FedSim
import Foundation
import XCTest

/// A run into a folder holding a run of another scenario is refused with a one-line hint and
/// changes nothing; the same scenario, an empty folder or --force go ahead.
final class RunFolderGuardTests: XCTestCase {
    private let yaml = "name: q\nseed: 1\ndataset: {kind: synthetic}\nfederation: {clients: 2, rounds: 1}\n"

    private func scenario(_ overrides: [String] = []) throws -> Scenario {
        try Scenario.parse(yaml: yaml, file: "q.yaml", baseDirectory: "/data", overrides: overrides)
    }

    /// A run folder as a finished run leaves it: the marker, scenario.yaml, summary.json.
    private func finishedRun(_ s: Scenario, in dir: String, status: String = "completed") throws {
        try RunResults.prepare(dir)
        try Data(s.resolvedYAML().utf8).write(to: URL(fileURLWithPath: dir + "/scenario.yaml"))
        let summary = RunSummary(name: s.name, seed: s.seed, status: status, roundsPlanned: 1, roundsCompleted: 1,
                                 finalTestAccuracy: 0.5, updatesReceived: 2, updatesRejected: 0, wallSeconds: 1,
                                 clients: 2, processes: 2, parameters: 10, trainSamples: 8, testSamples: 2,
                                 fingerprint: String(s.fingerprint, radix: 16), attacks: [], maliciousReceived: 0,
                                 aggregator: "fedavg")
        try RunSummary.encoder().encode(summary).write(to: URL(fileURLWithPath: dir + "/summary.json"))
    }

    func testAnotherScenarioIsRefusedWithAHintAndNothingChanges() throws {
        let dir = try TemporaryDirectory(prefix: "fedsim-guard")
        defer { dir.remove() }
        let run = dir.path + "/q"
        let iid = try scenario(), dirichlet = try scenario(["partition.kind=dirichlet"])
        XCTAssertNotEqual(iid.fingerprint, dirichlet.fingerprint)
        try finishedRun(iid, in: run)
        let before = try FileManager.default.contentsOfDirectory(atPath: run).sorted()

        XCTAssertThrowsError(try RunFolderGuard.check(run, fingerprint: dirichlet.fingerprint, force: false)) {
            XCTAssertEqual("\($0)", "\(run): holds a run of another scenario (fingerprint \(String(iid.fingerprint, radix: 16)), "
                           + "this one \(String(dirichlet.fingerprint, radix: 16))); nothing was changed; pass --force to replace it, "
                           + "or --output \(run)-2 (or another name) to keep both")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: run).sorted(), before)
        // The same scenario reruns in place (it reproduces itself), and --force replaces another.
        XCTAssertNoThrow(try RunFolderGuard.check(run, fingerprint: iid.fingerprint, force: false))
        XCTAssertNoThrow(try RunFolderGuard.check(run, fingerprint: dirichlet.fingerprint, force: true))
    }

    func testARunStoppedBeforeItsSummaryIsJudgedByItsScenario() throws {
        let dir = try TemporaryDirectory(prefix: "fedsim-guard")
        defer { dir.remove() }
        let run = dir.path + "/q"
        let iid = try scenario()
        try finishedRun(iid, in: run)
        try FileManager.default.removeItem(atPath: run + "/summary.json")
        XCTAssertNoThrow(try RunFolderGuard.check(run, fingerprint: iid.fingerprint, force: false))
        XCTAssertThrowsError(try RunFolderGuard.check(run, fingerprint: try scenario(["seed=2"]).fingerprint, force: false))
    }

    func testNewEmptyAndUnmarkedFoldersPass() throws {
        let dir = try TemporaryDirectory(prefix: "fedsim-guard")
        defer { dir.remove() }
        let f = try scenario().fingerprint
        XCTAssertNoThrow(try RunFolderGuard.check(dir.path + "/absent", fingerprint: f, force: false))
        XCTAssertNoThrow(try RunFolderGuard.check(dir.path, fingerprint: f, force: false))
        try RunResults.prepare(dir.path + "/marked-only")
        XCTAssertNoThrow(try RunFolderGuard.check(dir.path + "/marked-only", fingerprint: f, force: false))
    }

    func testOnlyAFinishedRunIsFinished() throws {
        let dir = try TemporaryDirectory(prefix: "fedsim-guard")
        defer { dir.remove() }
        let s = try scenario()
        for (status, finished) in [("completed", true), ("diverged", true), ("interrupted", false), ("failed", false)] {
            try finishedRun(s, in: dir.path + "/" + status, status: status)
            XCTAssertEqual(RunFolderGuard.finishedRun(dir.path + "/" + status) != nil, finished, status)
        }
        XCTAssertNil(RunFolderGuard.finishedRun(dir.path + "/absent"))
    }
}
