import FedTestSupport
import Foundation
import XCTest

/// `scripts/fetch-data` offline: a table of file:// sources (FEDSIM_FETCH_TABLE) stands in for
/// the mirrors, so the download, the checksum check and the refusal to touch files it did not
/// write are all exercised without the network.
final class FetchDataTests: XCTestCase {
    private var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "fedsim-fetch") }
    override func tearDown() { dir?.remove() }

    private func md5(_ path: String) throws -> String {
        let (code, out) = try run("/usr/bin/env", ["md5sum", path])
        XCTAssertEqual(code, 0)
        return String(out.prefix(32))
    }

    @discardableResult
    private func run(_ executable: String, _ args: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, out)
    }

    private func fetch(_ args: [String], table: String) throws -> (Int32, String) {
        try run("/bin/bash", [FedsimHarness.repository + "/scripts/fetch-data", "--dir", dir.path("data")] + args,
                environment: ["FEDSIM_FETCH_TABLE": table])
    }

    func testDownloadsCheckAndNeverReplaceOthersFiles() throws {
        try FileManager.default.createDirectory(atPath: dir.path("src"), withIntermediateDirectories: true)
        try writeFile(Array("images".utf8), to: dir.path("src/a.gz"))
        try writeFile(Array("labels".utf8), to: dir.path("src/b.gz"))
        let table = dir.path("table")
        try """
            mnist a.gz \(try md5(dir.path("src/a.gz"))) file://\(dir.path("src/a.gz"))
            mnist b.gz \(try md5(dir.path("src/b.gz"))) file://\(dir.path("src/b.gz"))
            fashion a.gz 00000000000000000000000000000000 file://\(dir.path("src/a.gz"))

            """.write(toFile: table, atomically: true, encoding: .utf8)

        // Download: both files arrive with their checksums; --verify then passes offline.
        var (code, out) = try fetch(["mnist"], table: table)
        XCTAssertEqual(code, 0, out)
        XCTAssertEqual(FileManager.default.contents(atPath: dir.path("data/mnist/a.gz")), Data("images".utf8))
        XCTAssertTrue(out.contains("\(dir.path("data/mnist/b.gz")): checksum ok"), out)
        (code, out) = try fetch(["--verify", "mnist"], table: table)
        XCTAssertEqual(code, 0, out)

        // A damaged file already there is reported and left as it is.
        try writeFile(Array("imageX".utf8), to: dir.path("data/mnist/a.gz"))
        (code, out) = try fetch(["mnist"], table: table)
        XCTAssertEqual(code, 1, out)
        XCTAssertTrue(out.contains("\(dir.path("data/mnist/a.gz")): MD5 "), out)
        XCTAssertTrue(out.contains("not replaced"), out)
        XCTAssertEqual(FileManager.default.contents(atPath: dir.path("data/mnist/a.gz")), Data("imageX".utf8))
        (code, out) = try fetch(["--verify", "mnist"], table: table)
        XCTAssertEqual(code, 1, out)

        // A download whose checksum fails is not kept.
        (code, out) = try fetch(["fashion"], table: table)
        XCTAssertEqual(code, 1, out)
        XCTAssertTrue(out.contains("expected 00000000000000000000000000000000; nothing kept"), out)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path("data/fashion")), [])

        // Missing files under --verify, and an unknown name.
        (code, out) = try fetch(["--verify", "fashion"], table: table)
        XCTAssertEqual(code, 1, out)
        XCTAssertTrue(out.contains("\(dir.path("data/fashion/a.gz")): missing"), out)
        (code, out) = try fetch(["emnist"], table: table)
        XCTAssertEqual(code, 2, out)
        XCTAssertTrue(out.contains("unknown dataset emnist; allowed: fashion mnist"), out)
    }

    func testBuiltInTableHasEveryDatasetWithItsPublishedChecksum() throws {
        // --verify on an empty folder names every file it would fetch (nothing is downloaded).
        let (code, out) = try run("/bin/bash", [FedsimHarness.repository + "/scripts/fetch-data", "--dir", dir.path("none"),
                                                "--verify", "mnist", "fashion", "cifar10"])
        XCTAssertEqual(code, 1, out)
        for file in ["mnist/train-images-idx3-ubyte.gz", "mnist/t10k-labels-idx1-ubyte.gz",
                     "fashion/train-labels-idx1-ubyte.gz", "cifar10/cifar-10-binary.tar.gz"] {
            XCTAssertTrue(out.contains(dir.path("none/" + file) + ": missing"), out)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path("none")), "--verify creates nothing")
    }
}
