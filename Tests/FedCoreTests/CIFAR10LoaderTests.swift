import FedTestSupport
import Foundation
import XCTest
@testable import FedCore

/// CIFAR-10's binary batches: channel order (R, G, B planes, each 32 x 32 row-major), shape
/// [3, 32, 32], both folder layouts, and damaged files named in one line.
final class CIFAR10LoaderTests: XCTestCase {
    private var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "fedsim-cifar") }
    override func tearDown() { dir?.remove() }

    /// Pixel value that tells channel, row and column apart: 100·c + (7y + x) mod 100, plus r.
    private static func pixel(_ r: Int, _ c: Int, _ y: Int, _ x: Int) -> UInt8 {
        UInt8(100 * c + (7 * y + x) % 50 + r)
    }

    /// The six files with `records` records each; labels of file f, record r: (f + r) mod 10.
    private func batches(in folder: String, records: Int = 2) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (f, name) in (CIFAR10Loader.trainFiles + [CIFAR10Loader.testFile]).enumerated() {
            let labels = (0..<records).map { UInt8((f + $0) % 10) }
            try writeFile(cifarRecords(labels, pixel: Self.pixel), to: folder + "/" + name)
        }
    }

    func testChannelOrderShapeAndLabels() throws {
        let folder = dir.path("flat")
        try batches(in: folder)
        let (train, test) = try CIFAR10Loader.load(folder: folder, recordsPerFile: 2)
        XCTAssertEqual(train.shape, [3, 32, 32])
        XCTAssertEqual(train.dimension, 3072)
        XCTAssertEqual(train.count, 10)
        XCTAssertEqual(test.count, 2)
        XCTAssertEqual(train.labels, [0, 1, 1, 2, 2, 3, 3, 4, 4, 5])
        XCTAssertEqual(test.labels, [5, 6])
        XCTAssertEqual(train.classes, 10)
        XCTAssertEqual(train.name, "cifar10")
        // Feature (c, y, x) of sample i is at i·3072 + c·1024 + 32y + x: red first, then green, then blue.
        for (i, c, y, x) in [(0, 0, 0, 0), (1, 0, 0, 5), (0, 1, 3, 4), (1, 2, 31, 31), (3, 2, 10, 0)] {
            XCTAssertEqual(train.features[i * 3072 + c * 1024 + 32 * y + x], Float(Self.pixel(i % 2, c, y, x)), "\(i) \(c) \(y) \(x)")
        }
        XCTAssertEqual(train.features[1024], 100, "the first green value")
        XCTAssertEqual(train.features[2048], 200, "the first blue value")
    }

    func testExtractedArchiveFolderIsFoundFromItsParent() throws {
        try batches(in: dir.path("parent/cifar-10-batches-bin"))
        let a = try CIFAR10Loader.load(folder: dir.path("parent"), recordsPerFile: 2)
        let b = try CIFAR10Loader.load(folder: dir.path("parent/cifar-10-batches-bin"), recordsPerFile: 2)
        XCTAssertEqual(a.train, b.train)
        XCTAssertEqual(a.test, b.test)
    }

    func testDamagedAndMissingFilesAreNamed() throws {
        let folder = dir.path("bad")
        try batches(in: folder)
        let batch3 = folder + "/data_batch_3.bin"
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: batch3)))
        let cases: [(String, [UInt8], String)] = [
            ("truncated", Array(good.dropLast(100)), "\(batch3): 6046 bytes is not a whole number of 3073-byte records (1 records and 2973 bytes over)"),
            ("a byte more", good + [0], "\(batch3): 6147 bytes is not a whole number of 3073-byte records (2 records and 1 bytes over)"),
            ("empty", [], "\(batch3): 0 bytes is not a whole number of 3073-byte records (0 records and 0 bytes over)"),
            ("label 10", [10] + Array(good.dropFirst()), "\(batch3): label 10 of sample 0 is outside 0...9"),
            ("three records", good + Array(good.prefix(3073)), "\(batch3): 3 samples, expected 2"),
        ]
        for (what, bytes, expected) in cases {
            try writeFile(bytes, to: batch3)
            XCTAssertEqual(thrownMessage { _ = try CIFAR10Loader.load(folder: folder, recordsPerFile: 2) }, expected, what)
        }
        try writeFile(good, to: batch3)
        XCTAssertEqual(thrownMessage { _ = try CIFAR10Loader.load(folder: folder) }, "\(folder)/data_batch_1.bin: 2 samples, expected 10000")
        try FileManager.default.removeItem(atPath: folder + "/test_batch.bin")
        XCTAssertEqual(thrownMessage { _ = try CIFAR10Loader.load(folder: folder, recordsPerFile: 2) },
                       "\(folder)/test_batch.bin: cannot read: No such file or directory (ENOENT)")
        XCTAssertEqual(thrownMessage { _ = try CIFAR10Loader.load(folder: dir.path("none")) },
                       "\(dir.path("none")): no data_batch_1.bin (looked for data_batch_1.bin, cifar-10-batches-bin/data_batch_1.bin)")
    }
}
