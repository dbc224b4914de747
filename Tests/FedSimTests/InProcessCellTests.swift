@testable import FedSim
import FedTestSupport
import Foundation
import XCTest

/// A comparison cell run inside this process (`InProcessCell`, `isolation: thread`): the
/// coordinator, two client runtimes and the adversary hub on threads over real ipc:// sockets,
/// under CURVE with throwaway keys; a stopped cell ends without waiting for any timeout; a
/// cell that cannot start leaves one `fedsim:` line in its log. (That its model.bin is the one
/// `fedsim run`'s processes give is CompareEndToEndTests' `testCellsGiveTheSameModels...`.)
final class InProcessCellTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The quickstart with 4 clients in 2 client processes, ALIE (the hub) and `extra`, as a cell file in `dir`.
    private func cellFile(_ dir: TemporaryDirectory, _ extra: [String] = []) throws -> String {
        let scenario = try Scenario.load(path: root.appendingPathComponent("scenarios/quickstart.yaml").path,
                                         overrides: ["federation.clients=4", "federation.processes=2", "federation.rounds=2",
                                                     "federation.local_epochs=1", "attack={kind: alie, malicious: 1}"] + extra)
        let path = dir.path("cell.yaml")
        try Data(scenario.resolvedYAML().utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testCellRunsOnThreadsAndLogsToItsFile() throws {
        let dir = try TemporaryDirectory(prefix: "ipcell")
        defer { dir.remove() }
        let summary = try InProcessCell.run(scenarioPath: try cellFile(dir, ["transport.security=curve"]), folder: dir.path("run"),
                                            logPath: dir.path("cell.log"), logLevel: .info, writeReport: nil)
        XCTAssertEqual(summary.status, "completed", summary.error ?? "")
        XCTAssertEqual(summary.roundsCompleted, 2)
        XCTAssertEqual(summary.processes, 2)
        let model = try XCTUnwrap(FileManager.default.contents(atPath: dir.path("run/model.bin")))
        XCTAssertEqual(model.count % 4, 0)
        XCTAssertGreaterThan(model.count, 0)
        // Every part of the cell logged into the one file; no client process logs.
        let log = try String(contentsOfFile: dir.path("cell.log"), encoding: .utf8)
        for label in ["fedsim.run", "fedsim.client[0-1]", "fedsim.client[2-3]", "fedsim.adversary"] {
            XCTAssertTrue(log.contains(" \(label) : "), "\(label) missing in:\n\(log)")
        }
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: dir.path("run/logs"))) ?? [], [])
    }

    /// A cell stopped before it starts (what the compare runner does when it must end early):
    /// every loop ends at its first wait, the run is recorded as failed, and `run` returns.
    func testStoppedCellEndsAtOnce() throws {
        let dir = try TemporaryDirectory(prefix: "ipcell")
        defer { dir.remove() }
        let stop = StopFlag()
        stop.raise()
        let summary = try InProcessCell.run(scenarioPath: try cellFile(dir), folder: dir.path("run"), logPath: dir.path("cell.log"),
                                            logLevel: .warning, writeReport: nil, stop: stop)
        XCTAssertEqual(summary.status, "failed")
        XCTAssertEqual(summary.roundsCompleted, 0)
        XCTAssertTrue((summary.error ?? "").contains("stopped"), summary.error ?? "")
    }

    func testCellThatCannotStartSaysWhyInItsLog() throws {
        let dir = try TemporaryDirectory(prefix: "ipcell")
        defer { dir.remove() }
        XCTAssertThrowsError(try InProcessCell.run(scenarioPath: dir.path("missing.yaml"), folder: dir.path("run"),
                                                   logPath: dir.path("cell.log"), logLevel: .warning, writeReport: nil))
        let log = try String(contentsOfFile: dir.path("cell.log"), encoding: .utf8)
        XCTAssertTrue(log.hasPrefix("fedsim: "), log)
        XCTAssertTrue(log.contains("missing.yaml"), log)
        XCTAssertEqual(log.split(separator: "\n").count, 1, log)
    }
}
