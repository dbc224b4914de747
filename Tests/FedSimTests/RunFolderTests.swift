import FedTestSupport
@testable import FedSim
import Foundation
import XCTest

/// A run writes only into an empty folder or one marked as fedsim's, and when it reuses a
/// marked folder it removes only what a run writes there; anyone else's files stay.
final class RunFolderTests: XCTestCase {
    private let fm = FileManager.default

    private func write(_ path: String, _ text: String = "x") throws {
        try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func testAFolderWithForeignFilesIsRefusedAndKeptWhole() throws {
        let dir = try TemporaryDirectory(prefix: "fedsim-folder")
        defer { dir.remove() }
        // The report's case: a folder that merely has a logs/ entry (and file names fedsim uses).
        for name in ["logs/app.log", "rounds.csv", "notes.txt"] { try write(dir.path + "/" + name) }
        XCTAssertThrowsError(try RunResults.prepare(dir.path)) {
            XCTAssertEqual("\($0)", "\(dir.path): folder is not empty and holds no fedsim run (no .fedsim-run); "
                           + "nothing was changed; choose another output folder or name")
        }
        for name in ["logs/app.log", "rounds.csv", "notes.txt"] {
            XCTAssertTrue(fm.fileExists(atPath: dir.path + "/" + name), name)
        }
        XCTAssertFalse(fm.fileExists(atPath: dir.path + "/" + RunResults.marker))
    }

    func testAMarkedRunFolderLosesOnlyWhatARunWrote() throws {
        let dir = try TemporaryDirectory(prefix: "fedsim-folder")
        defer { dir.remove() }
        try RunResults.prepare(dir.path + "/run")           // a new folder, with its parents
        let run = dir.path + "/run"
        XCTAssertTrue(fm.fileExists(atPath: run + "/" + RunResults.marker))
        let ours = ["rounds.csv", "summary.json", "model.bin", "checkpoint.bin", "logs/process-0.log", "logs/process-12.log",
                    "logs/adversary.log"]
        let theirs = ["notes.txt", "logs/app.log", "logs/process-x.log", "plots/acc.png"]
        for name in ours + theirs { try write(run + "/" + name) }

        try RunResults.prepare(run)

        for name in ours { XCTAssertFalse(fm.fileExists(atPath: run + "/" + name), "\(name) is a run's and goes") }
        for name in theirs { XCTAssertTrue(fm.fileExists(atPath: run + "/" + name), "\(name) is not fedsim's and stays") }
    }

    func testEmptyFoldersAreTakenAndFilesAndUnwritablePathsAreOneLine() throws {
        let dir = try TemporaryDirectory(prefix: "fedsim-folder")
        defer { dir.remove() }
        try fm.createDirectory(atPath: dir.path + "/empty", withIntermediateDirectories: true)
        XCTAssertNoThrow(try RunResults.prepare(dir.path + "/empty"))
        try write(dir.path + "/file")
        XCTAssertThrowsError(try RunResults.prepare(dir.path + "/file")) {
            XCTAssertEqual("\($0)", "\(dir.path)/file: exists and is not a folder; choose another output folder or name")
        }
        XCTAssertThrowsError(try RunResults.prepare("/proc/fedsim-test/run")) {
            XCTAssertTrue("\($0)".hasPrefix("/proc/fedsim-test: cannot write: "), "\($0)")
            XCTAssertFalse("\($0)".contains("\n"))
        }
    }

    func testOwnLogNames() {
        let table: [(String, Bool)] = [("process-0.log", true), ("process-123.log", true), ("adversary.log", true),
                                       ("process-.log", false), ("process-1.txt", false), ("app.log", false), ("process-a.log", false)]
        for (name, own) in table { XCTAssertEqual(RunResults.isOwnLog(name), own, name) }
    }
}
