import CZlib
import FedTestSupport
import Foundation
import XCTest
@testable import FedCore

final class DataLoadingTests: XCTestCase {
    // MARK: - Helpers

    private var tempDir: TemporaryDirectory!

    override func setUpWithError() throws {
        tempDir = try TemporaryDirectory(prefix: "fedsim-data")
    }

    override func tearDown() {
        tempDir?.remove()
    }

    private func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = tempDir.path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    // MARK: - Gzip

    func testGzipRoundTripAndDetection() throws {
        let text = Array(String(repeating: "1,2,3,4\n", count: 5000).utf8)
        let gz = try gzip(text)
        XCTAssertTrue(Gzip.isGzip(gz))
        XCTAssertFalse(Gzip.isGzip(text))
        XCTAssertEqual(try Gzip.decompress(gz), text)
        // Two concatenated members decode to the concatenation.
        XCTAssertEqual(try Gzip.decompress(gz + (try gzip(Array("x".utf8)))), text + Array("x".utf8))
    }

    func testGzipTruncatedAndCorruptThrowNamingTheSource() throws {
        let gz = try gzip(Array(String(repeating: "abc", count: 1000).utf8))
        let truncated = Array(gz.prefix(gz.count / 2))
        XCTAssertTrue(thrownMessage { _ = try Gzip.decompress(truncated, name: "t.gz") }.hasPrefix("t.gz: "))
        var corrupt = gz
        corrupt[12] ^= 0xff
        corrupt[13] ^= 0xff
        XCTAssertTrue(thrownMessage { _ = try Gzip.decompress(corrupt, name: "c.gz") }.hasPrefix("c.gz: "))
    }

    func testReadMissingFileNamesIt() {
        let msg = thrownMessage { _ = try Gzip.readMaybeCompressed("/nonexistent/fedsim.csv") }
        XCTAssertEqual(msg, "/nonexistent/fedsim.csv: cannot read: No such file or directory (ENOENT)")
    }

    // MARK: - Digits

    func testEmbeddedDigitsMatchesTheCSVFile() throws {
        let digits = try DigitsData.load()
        XCTAssertEqual(digits.count, 1797)
        XCTAssertEqual(digits.dimension, 64)
        XCTAssertEqual(digits.classes, 10)
        XCTAssertEqual(digits.name, "digits")
        XCTAssertEqual(digits.features.min(), 0)
        XCTAssertEqual(digits.features.max(), 16)
        XCTAssertEqual(Set(digits.labels), Set(0...9))
        XCTAssertTrue(digits.features.allSatisfy { $0 == $0.rounded() })

        // Compare with the repository's data/digits.csv.gz, read independently.
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let gz = [UInt8](try Data(contentsOf: repo.appendingPathComponent("data/digits.csv.gz")))
        let text = String(decoding: try Gzip.decompress(gz), as: UTF8.self)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 1797)
        let first = lines[0].split(separator: ",").map { Float(String($0)) }
        XCTAssertEqual(first.count, 65)
        XCTAssertEqual(Array(digits.features[0..<64]), first[0..<64].compactMap { $0 })
        XCTAssertEqual(Float(digits.labels[0]), first[64])
        let last = lines[1796].split(separator: ",").compactMap { Float(String($0)) }
        XCTAssertEqual(Array(digits.features[(1796 * 64)...]), Array(last[0..<64]))
        XCTAssertEqual(Float(digits.labels[1796]), last[64])

        // And the CSV loader on the file gives the same dataset.
        let viaFile = try CSVLoader.load(path: repo.appendingPathComponent("data/digits.csv.gz").path)
        XCTAssertEqual(viaFile.features, digits.features)
        XCTAssertEqual(viaFile.labels, digits.labels)
    }

    // MARK: - CSV

    func testCSVWithAndWithoutHeader() throws {
        let plain = try CSVLoader.parse(text: "1,2,0\n3.5,-4e-1,2\n\n", name: "p.csv")
        XCTAssertEqual(plain.count, 2)
        XCTAssertEqual(plain.dimension, 2)
        XCTAssertEqual(plain.classes, 3)
        XCTAssertEqual(plain.features, [1, 2, 3.5, -0.4])
        XCTAssertEqual(plain.labels, [0, 2])
        XCTAssertEqual(plain.name, "p.csv")

        let header = try CSVLoader.parse(text: "\u{FEFF}a, b ,label\r\n\r\n 1 , 2 ,1\r\n3,4,\"0\"\r\n", name: "h.csv")
        XCTAssertEqual(header.count, 2)
        XCTAssertEqual(header.features, [1, 2, 3, 4])
        XCTAssertEqual(header.labels, [1, 0])
        XCTAssertEqual(header.classes, 2)
    }

    func testCSVNumberParsing() throws {
        let d = try CSVLoader.parse(
            text: "0.1,1e3,-0,12345678901234567890,0.000001,1.5E-2,+7,3.0\n", name: "n.csv")
        XCTAssertEqual(d.features, [0.1, 1000, 0, Float(12345678901234567890.0 as Double), 0.000001, 0.015, 7])
        XCTAssertEqual(d.labels, [3])
    }

    func testCSVErrorsNameFileAndLine() {
        let cases: [(String, String)] = [
            ("1,2,3\n4,5,6\n\n7,8\n", "x.csv:4: expected 3 values, got 2"),
            ("a,b,c\n1,2,3\n4,5,6,7\n", "x.csv:3: expected 3 values, got 4"),
            ("1,2,3\n4,5,-1\n", "x.csv:2: label must be a non-negative integer, got \"-1\" (labels: auto maps any labels to classes)"),
            ("1,2,3\n4,5,2.5\n", "x.csv:2: label must be a non-negative integer, got \"2.5\" (labels: auto maps any labels to classes)"),
            ("1,2,3\n4,5,cat\n", "x.csv:2: label must be a non-negative integer, got \"cat\" (labels: auto maps any labels to classes)"),
            ("1,2,3\n4,x,1\n", "x.csv:2: value 2 is not a number: \"x\""),
            ("1,2,3\n4,nan,1\n", "x.csv:2: value 2 is not a number: \"nan\""),
            ("1,2,3\n1,,3\n", "x.csv:2: value 2 is not a number: \"\""),
            ("", "x.csv: no data rows"),
            ("\n  \n", "x.csv: no data rows"),
            ("f1,f2,label\n", "x.csv: no data rows"),
            ("5\n", "x.csv:1: a row needs at least one feature besides the label"),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(thrownMessage { _ = try CSVLoader.parse(text: text, name: "x.csv") }, expected,
                           "input \(text.debugDescription)")
        }
    }

    func testCSVFileGzippedOrNot() throws {
        let text = "x1,x2,y\n1,2,1\n3,4,0\n"
        let plain = try write(Array(text.utf8), "d.csv")
        let gz = try write(try gzip(Array(text.utf8)), "d.csv.gz")
        let a = try CSVLoader.load(path: plain)
        let b = try CSVLoader.load(path: gz)
        XCTAssertEqual(a.features, [1, 2, 3, 4])
        XCTAssertEqual(a.features, b.features)
        XCTAssertEqual(a.labels, b.labels)
        let bad = try write(Array("1,2,1\n1,2\n".utf8), "bad.csv")
        XCTAssertEqual(thrownMessage { _ = try CSVLoader.load(path: bad) }, "\(bad):2: expected 3 values, got 2")
    }

    // MARK: - IDX

    func testIDXPlainAndGzipped() throws {
        let images = idxImages(count: 3, rows: 2, cols: 4)
        let labels = idxLabels([7, 0, 9])
        for compressed in [false, true] {
            let ip = try write(compressed ? try gzip(images) : images, "img\(compressed)")
            let lp = try write(compressed ? try gzip(labels) : labels, "lab\(compressed)")
            let d = try IDXLoader.load(images: ip, labels: lp)
            XCTAssertEqual(d.count, 3)
            XCTAssertEqual(d.dimension, 8)
            XCTAssertEqual(d.classes, 10)
            XCTAssertEqual(d.labels, [7, 0, 9])
            XCTAssertEqual(d.features, (0..<24).map { Float($0) })
        }
        let parsed = try IDXLoader.parseImages(images, name: "i")
        XCTAssertEqual(parsed.count, 3)
        XCTAssertEqual(parsed.rows, 2)
        XCTAssertEqual(parsed.cols, 4)
        XCTAssertEqual(parsed.pixels.count, 24)
        XCTAssertEqual(try IDXLoader.parseLabels(labels, name: "l").labels, [7, 0, 9])
        // Labels of 10 or more raise the class count.
        let lp = try write(idxLabels([1, 12, 3]), "lab12")
        let ip = try write(images, "img12")
        XCTAssertEqual(try IDXLoader.load(images: ip, labels: lp).classes, 13)
    }

    func testIDXMalformedFilesThrowNamingTheFile() throws {
        let goodImages = idxImages(count: 3, rows: 2, cols: 2)
        let goodLabels = idxLabels([1, 2, 3])
        XCTAssertEqual(thrownMessage { _ = try IDXLoader.parseImages(goodLabels, name: "train-images") },
                       "train-images: IDX magic 0x00000803 expected, got 0x00000801")
        XCTAssertEqual(thrownMessage { _ = try IDXLoader.parseLabels(goodImages, name: "train-labels") },
                       "train-labels: IDX magic 0x00000801 expected, got 0x00000803")
        XCTAssertEqual(thrownMessage { _ = try IDXLoader.parseImages(Array(goodImages.dropLast()), name: "img") },
                       "img: IDX header declares 28 bytes, file has 27")
        XCTAssertEqual(thrownMessage { _ = try IDXLoader.parseImages(goodImages + [0], name: "img") },
                       "img: IDX header declares 28 bytes, file has 29")
        XCTAssertEqual(thrownMessage { _ = try IDXLoader.parseLabels(Array(goodLabels.dropLast()), name: "lab") },
                       "lab: IDX header declares 11 bytes, file has 10")
        XCTAssertEqual(thrownMessage { _ = try IDXLoader.parseImages([0, 0, 8], name: "tiny") },
                       "tiny: IDX header declares 16 bytes, file has 3")
        XCTAssertEqual(thrownMessage { _ = try IDXLoader.parseImages(Array(goodImages.prefix(10)), name: "hdr") },
                       "hdr: IDX header declares 16 bytes, file has 10")

        let ip = try write(goodImages, "images.idx")
        let lp = try write(idxLabels([1, 2]), "labels.idx")
        XCTAssertEqual(thrownMessage { _ = try IDXLoader.load(images: ip, labels: lp) },
                       "labels file \(lp) has 2 labels but images file \(ip) has 3 images")
        // A truncated gzipped file names the file too.
        let gz = try gzip(goodImages)
        let tp = try write(Array(gz.prefix(gz.count - 6)), "trunc.gz")
        XCTAssertTrue(thrownMessage { _ = try IDXLoader.load(images: tp, labels: lp) }.hasPrefix("\(tp): "))
        // Missing file.
        XCTAssertTrue(thrownMessage { _ = try IDXLoader.load(images: ip + ".missing", labels: lp) }
            .hasPrefix("\(ip).missing: cannot read"))
    }
}
