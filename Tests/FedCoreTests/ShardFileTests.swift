import FedTestSupport
import XCTest
@testable import FedCore

/// The shard file a client process reads instead of the whole dataset: it round-trips every
/// bit, and refuses a damaged or forged file with one line naming what is wrong.
final class ShardFileTests: XCTestCase {
    /// Two clients of [1, 2, 2] images (dimension 4), 3 classes, the model with 4 outputs.
    private func sample() -> ShardFile {
        let a = Dataset(features: [0, 0.25, 0.5, 1, -1.5, 2, 3, 4], labels: [2, 0], dimension: 4, shape: [1, 2, 2],
                        classes: 3, name: "digits")
        let b = Dataset(features: [Float.leastNonzeroMagnitude, -0.0, 7, 8], labels: [1], dimension: 4, shape: [1, 2, 2],
                        classes: 3, name: "digits")
        return ShardFile(scenario: 0x0123_4567_89ab_cdef, classes: 3, modelClasses: 4, maxFeature: 8, shape: [1, 2, 2],
                         name: "digits", ids: [3, 9], datasets: [a, b], domainLower: [-1.5, -1, 0, 0.5],
                         domainUpper: [1, 2, 7, 8])
    }

    /// `bytes` with its CRC-32 recomputed: a forged file whose checksum holds.
    private func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.dropLast(4))
        let crc = body.withUnsafeBytes { CRC32.checksum($0) }
        withUnsafeBytes(of: crc.littleEndian) { body.append(contentsOf: $0) }
        return body
    }

    private func message(_ bytes: [UInt8]) -> String? {
        thrownMessage { _ = try ShardFile.decode(bytes, file: "s.bin") }
    }

    // MARK: - Round trip

    func testRoundTripKeepsEveryBitAndTheShape() throws {
        let shard = sample()
        let bytes = shard.encoded()
        // Header: magic 8, version 4, scenario 8, classes 4 + 4, max 4, rank 4 + 3 x 4, name 4 + 6,
        // clients 4 + 2 x 12; data: 3 samples x (4 features + 1 label) x 4; domain 2 x 4 x 4; CRC 4.
        XCTAssertEqual(bytes.count, 8 + 4 + 8 + 8 + 4 + 16 + 10 + 28 + 60 + 32 + 4)
        XCTAssertEqual(Array(bytes.prefix(8)), Array("FSIMSHRD".utf8))
        let back = try ShardFile.decode(bytes, file: "s.bin")
        XCTAssertEqual(back, shard)
        XCTAssertEqual(back.datasets[0].shape, [1, 2, 2])
        XCTAssertEqual(back.datasets[1].features.map(\.bitPattern), shard.datasets[1].features.map(\.bitPattern))
        XCTAssertEqual(back.dimension, 4)
        XCTAssertEqual(back.domainLower, [-1.5, -1, 0, 0.5])
        XCTAssertEqual(back.domainUpper, [1, 2, 7, 8])
    }

    func testWriteAndReadAFile() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/shard-0.bin"
        try sample().write(to: path)
        XCTAssertEqual(try ShardFile.read(path), sample())
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".tmp"))
        XCTAssertEqual(thrownMessage { _ = try ShardFile.read(dir.path + "/none.bin") },
                       "\(dir.path)/none.bin: cannot read: No such file or directory (ENOENT)")
    }

    func testEmptyClientAndNoClients() throws {
        let empty = ShardFile(scenario: 1, classes: 2, modelClasses: 2, maxFeature: 0, shape: [5], name: "",
                              ids: [0], datasets: [Dataset(features: [], labels: [], dimension: 5, classes: 2, name: "")])
        XCTAssertEqual(try ShardFile.decode(empty.encoded(), file: "e.bin"), empty)
        let none = ShardFile(scenario: 1, classes: 2, modelClasses: 2, maxFeature: 0, shape: [5], name: "", ids: [], datasets: [])
        XCTAssertEqual(try ShardFile.decode(none.encoded(), file: "n.bin"), none)
    }

    // MARK: - Damaged files

    func testDamagedFilesAreRefusedWithOneLine() {
        let good = sample().encoded()
        var flipped = good
        flipped[70] ^= 0x10
        var magic = good
        magic[0] = UInt8(ascii: "X")
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "s.bin: unreadable shard file: 0 bytes, shorter than the 16 of any shard file"),
            ("wrong magic", magic, "s.bin: unreadable shard file: not a fedsim shard file (no FSIMSHRD header)"),
            ("a flipped bit", flipped, "checksum mismatch"),
            ("truncated", Array(good.dropLast(9)), "checksum mismatch"),
            ("a byte more", good + [0], "checksum mismatch"),
        ]
        for (what, bytes, expected) in cases {
            let m = message(bytes) ?? "no error"
            XCTAssertTrue(m.hasPrefix("s.bin: unreadable shard file: ") && m.contains(expected), "\(what): \(m)")
            XCTAssertFalse(m.contains("\n"), what)
        }
    }

    func testForgedHeadersWithAValidChecksumAreRefused() {
        let good = sample().encoded()
        func edit(_ offset: Int, _ value: UInt32) -> [UInt8] {
            var b = good
            withUnsafeBytes(of: value.littleEndian) { for (i, x) in $0.enumerated() { b[offset + i] = x } }
            return resealed(b)
        }
        // Offsets: version 8, classes 20, model classes 24, rank 32, shape 36..., name 48,
        // clients 58, first id 62, first count 66 (u64), second id 74; data from 86 (client 3's labels at 118),
        // the domain's lower bounds from 146, its upper bounds from 162.
        let cases: [(String, [UInt8], String)] = [
            ("version", edit(8, 1), "version 1; this fedsim reads 2"),
            ("more classes than outputs", edit(20, 5), "5 classes and 4 model outputs; need 1 <= classes <= model outputs"),
            ("rank 9", edit(32, 9), "sample shape of rank 9; allowed 1...4"),
            ("zero width", edit(44, 0), "sample shape has a dimension of 0"),
            ("wrong count", edit(66, 3), "the header declares 4 samples of 4 features and their domain (112 bytes), the file has 92 bytes after the header"),
            ("ids not ascending", edit(74, 3), "client ids are not ascending (3 after 3)"),
            ("too many clients", edit(58, 1_000_000), "declares 1000000 clients; the file holds at most"),
            ("label out of range", edit(118, 3), "client 3: label 3 of sample 0 is outside 0..<3"),
            ("non-finite feature", edit(86, Float.nan.bitPattern), "client 3: feature 0 of sample 0 is nan"),
            ("inverted domain", edit(146, Float(9).bitPattern), "feature 0's domain [9.0, 1.0] is not a finite range"),
            ("infinite domain", edit(174, Float.infinity.bitPattern), "feature 3's domain [0.5, inf] is not a finite range"),
        ]
        for (what, bytes, expected) in cases {
            let m = message(bytes) ?? "no error"
            XCTAssertTrue(m.hasPrefix("s.bin: unreadable shard file: ") && m.contains(expected), "\(what): \(m)")
        }
    }
}
