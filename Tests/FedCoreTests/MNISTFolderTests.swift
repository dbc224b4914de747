import FedTestSupport
import Foundation
import XCTest
@testable import FedCore

/// MNIST and Fashion-MNIST folders: the four IDX files, gzipped or not, under either spelling;
/// strict about shape, labels and counts; a missing or damaged file named in one line.
final class MNISTFolderTests: XCTestCase {
    private var dir: TemporaryDirectory!

    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "fedsim-mnist") }
    override func tearDown() { dir?.remove() }

    /// Writes a folder of `train` + `test` 28 x 28 images (pixel k of a file = k mod 251).
    private func folder(_ name: String, train: [UInt8] = [5, 0, 4], test: [UInt8] = [7, 2],
                        gzipped: Bool = false, dotted: Bool = false, rows: Int = 28) throws -> String {
        let path = dir.path(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let contents = [idxImages(count: train.count, rows: rows, cols: 28, pixel: { UInt8($0 % 251) }), idxLabels(train),
                        idxImages(count: test.count, rows: rows, cols: 28, pixel: { UInt8($0 % 251) }), idxLabels(test)]
        for (stem, bytes) in zip(MNISTFolder.stems, contents) {
            let file = (dotted ? stem.replacingFirst("-idx", with: ".idx") : stem) + (gzipped ? ".gz" : "")
            try writeFile(gzipped ? try gzip(bytes) : bytes, to: path + "/" + file)
        }
        return path
    }

    func testPlainGzippedAndDottedFoldersLoadTheSameData() throws {
        var loaded: [(Dataset, Dataset)] = []
        for (name, gz, dotted) in [("plain", false, false), ("gz", true, false), ("dotted", false, true), ("both", true, true)] {
            let (train, test) = try MNISTFolder.load(folder: try folder(name, gzipped: gz, dotted: dotted), name: "mnist",
                                                     expected: (3, 2))
            XCTAssertEqual(train.shape, [1, 28, 28], name)
            XCTAssertEqual(train.dimension, 784)
            XCTAssertEqual(train.labels, [5, 0, 4])
            XCTAssertEqual(test.labels, [7, 2])
            XCTAssertEqual(train.classes, 10)
            XCTAssertEqual(train.name, "mnist")
            // Sample 1, row 0, column 3 is pixel 784 + 3 of the file.
            XCTAssertEqual(train.features[784 + 3], Float((784 + 3) % 251))
            loaded.append((train, test))
        }
        for (train, test) in loaded.dropFirst() {
            XCTAssertEqual(train, loaded[0].0)
            XCTAssertEqual(test, loaded[0].1)
        }
        let fashion = try MNISTFolder.load(folder: try folder("fashion"), name: "fashion", expected: (3, 2))
        XCTAssertEqual(fashion.train.name, "fashion")
    }

    func testMissingFileIsNamedWithWhereItLooked() throws {
        let path = try folder("missing")
        try FileManager.default.removeItem(atPath: path + "/t10k-labels-idx1-ubyte")
        XCTAssertEqual(thrownMessage { _ = try MNISTFolder.load(folder: path, name: "mnist", expected: nil) },
                       "\(path): no t10k-labels-idx1-ubyte (looked for t10k-labels-idx1-ubyte, t10k-labels-idx1-ubyte.gz, "
                       + "t10k-labels.idx1-ubyte, t10k-labels.idx1-ubyte.gz)")
    }

    func testWellFormedButNotMNISTIsRefused() throws {
        let small = try folder("small", rows: 27)
        XCTAssertEqual(thrownMessage { _ = try MNISTFolder.load(folder: small, name: "mnist", expected: nil) },
                       "\(small)/train-images-idx3-ubyte: samples of shape 1x27x28, expected 1x28x28")
        let label = try folder("label", train: [1, 10, 2])
        XCTAssertEqual(thrownMessage { _ = try MNISTFolder.load(folder: label, name: "mnist", expected: nil) },
                       "\(label)/train-labels-idx1-ubyte: label 10 of sample 1 is outside 0...9")
        let counts = try folder("counts")
        XCTAssertEqual(thrownMessage { _ = try MNISTFolder.load(folder: counts, name: "mnist") },
                       "\(counts)/train-images-idx3-ubyte: 3 samples, expected 60000")
    }

    func testDamagedFilesAreNamed() throws {
        // Truncated images (the IDX size check), wrong magic, truncated gzip.
        let cut = try folder("cut")
        let images = cut + "/train-images-idx3-ubyte"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: images)))
        bytes.removeLast(5)
        try writeFile(bytes, to: images)
        XCTAssertEqual(thrownMessage { _ = try MNISTFolder.load(folder: cut, name: "mnist", expected: nil) },
                       "\(images): IDX header declares 2368 bytes, file has 2363")

        let magic = try folder("magic")
        try writeFile(idxLabels([1, 2], magic: 0x0803), to: magic + "/t10k-labels-idx1-ubyte")
        XCTAssertEqual(thrownMessage { _ = try MNISTFolder.load(folder: magic, name: "mnist", expected: nil) },
                       "\(magic)/t10k-labels-idx1-ubyte: IDX magic 0x00000801 expected, got 0x00000803")

        let gz = try folder("gz", gzipped: true)
        let file = gz + "/train-labels-idx1-ubyte.gz"
        let packed = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        try writeFile(Array(packed.prefix(packed.count - 6)), to: file)
        XCTAssertTrue(thrownMessage { _ = try MNISTFolder.load(folder: gz, name: "mnist", expected: nil) }
                        .hasPrefix("\(file): gzip data is corrupt or truncated"))
    }
}
