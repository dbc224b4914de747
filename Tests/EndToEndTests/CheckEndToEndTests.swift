import FedTestSupport
import Foundation
import XCTest

/// `fedsim check` loads the data: a missing IDX file, a ragged CSV or a wrong IDX size fail with
/// the loaders' one-line error and a non-zero exit; good data prints what it loaded.
final class CheckEndToEndTests: EndToEndTestCase {
    private func check(_ settings: [String], log: String) throws -> (Int32?, String) {
        try harness.run(["check", quickstart] + settings.flatMap { ["--set", $0] }, log: log, timeout: 60)
    }

    func testBadDataFailsWithOneLineNamingTheFile() throws {
        let csv = harness.path("ragged.csv")
        try "1,2,0\n3,4,1\n5,1\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let images = harness.path("img.idx"), labels = harness.path("lab.idx"), short = harness.path("short.idx")
        try writeFile(idxImages(count: 4, rows: 2, cols: 2), to: images)
        try writeFile(idxLabels([0, 1, 0, 1]), to: labels)
        try writeFile(Array(idxImages(count: 4, rows: 2, cols: 2).dropLast(3)), to: short)
        let cases: [([String], String)] = [
            (["dataset.kind=idx", "dataset.train_images=\(harness.path("none.idx"))", "dataset.train_labels=\(labels)"],
             "fedsim: \(harness.path("none.idx")): cannot read: No such file or directory (ENOENT)"),
            (["dataset.kind=csv", "dataset.path=\(csv)"], "fedsim: \(csv):3: expected 3 values, got 2"),
            (["dataset.kind=idx", "dataset.train_images=\(short)", "dataset.train_labels=\(labels)"],
             "fedsim: \(short): IDX header declares 32 bytes, file has 29"),
            (["dataset.kind=cifar10", "dataset.path=\(harness.path("nowhere"))"],
             "fedsim: \(harness.path("nowhere")): no data_batch_1.bin (looked for data_batch_1.bin, cifar-10-batches-bin/data_batch_1.bin)"),
            (["dataset.kind=idx", "dataset.train_images=\(images)", "dataset.train_labels=\(labels)", "federation.clients=5"],
             "fedsim: cannot partition 4 samples among 5 clients (need 1 <= clients <= samples)"),
        ]
        for (i, (settings, expected)) in cases.enumerated() {
            let (code, out) = try check(settings, log: "bad-\(i).log")
            XCTAssertEqual(code, 1, out)
            XCTAssertEqual(out.trimmingCharacters(in: .whitespacesAndNewlines), expected)
        }
    }

    func testGoodDataPrintsWhatItLoaded() throws {
        let (code, out) = try check(["federation.clients=4", "partition.kind=sorted"], log: "good.log")
        XCTAssertEqual(code, 0, out)
        XCTAssertTrue(out.contains("# data: digits: 1438 train + 359 test samples of shape [1, 8, 8], 10 classes; "
                                   + "4 clients (sorted) hold 359...360 samples each"), out)
    }
}
