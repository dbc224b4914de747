import FedCore
import FedResults
import Foundation
import XCTest

/// Every file error a user can reach is one line naming the file and the system's reason.
final class FileErrorTests: XCTestCase {
    func testFullDeviceNamesENOSPC() throws {
        // /dev/full accepts open and refuses every write with ENOSPC: a full disk, on demand.
        XCTAssertThrowsError(try CSVWriter(path: "/dev/full", header: ["round", "accuracy"])) { error in
            XCTAssertEqual("\(error)", "/dev/full: cannot write: No space left on device (ENOSPC)")
        }
    }

    func testMissingFolderIsOneLine() throws {
        XCTAssertThrowsError(try CSVWriter(path: "/proc/no-such-dir/rounds.csv", header: ["round"])) { error in
            XCTAssertEqual("\(error)", "/proc/no-such-dir/rounds.csv: cannot write: No such file or directory (ENOENT)")
        }
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: "/proc/no-such-dir/summary.json")) { error in
            XCTAssertEqual("\(error)", "/proc/no-such-dir/summary.json.tmp: cannot write: No such file or directory (ENOENT)")
        }
    }

    func testFoundationErrorsBecomeOneLine() throws {
        let cases: [(String, () throws -> Void, String)] = [
            ("createDirectory", { try FileManager.default.createDirectory(atPath: "/proc/x", withIntermediateDirectories: true) },
             "/proc/x: No such file or directory (ENOENT)"),
            ("read", { _ = try String(contentsOfFile: "/nonexistent/file.yaml", encoding: .utf8) },
             "/nonexistent/file.yaml: cannot read: No such file or directory (ENOENT)"),
        ]
        for (name, action, expected) in cases {
            XCTAssertThrowsError(try action(), name) { error in
                let text = FileErrorText.describe(error)
                XCTAssertEqual(text, expected, name)
                XCTAssertFalse(text.contains("\n"), name)
                XCTAssertFalse(text.contains("Domain="), name)
            }
        }
    }

    func testOwnErrorsPrintAsThey() {
        XCTAssertEqual(FileErrorText.describe(ResultsError.cannotWriteFile(path: "a.csv", reason: "r")), "a.csv: cannot write: r")
    }

    func testSymbolicNames() {
        XCTAssertEqual(systemErrorText(EMFILE), "Too many open files (EMFILE)")
        XCTAssertEqual(systemErrorText(ENOSPC), "No space left on device (ENOSPC)")
    }

    func testContinuingKeepsRowsThroughRound() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csvw-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/rounds.csv"
        let w = try CSVWriter(path: path, header: ["round", "acc"])
        for r in 1...4 { try w.write([String(r), "0.\(r)"]) }
        w.close()
        let c = try CSVWriter(continuing: path, header: ["round", "acc"], throughRound: 2)
        try c.write(["3", "x,y"])
        c.close()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "round,acc\n1,0.1\n2,0.2\n3,\"x,y\"\n")
        XCTAssertThrowsError(try CSVWriter(continuing: path, header: ["round", "loss"], throughRound: 2)) { error in
            XCTAssertEqual("\(error)", "\(path): cannot write: its header differs from this fedsim's; cannot continue it")
        }
    }
}
