import FedCore
import FedResults
import FedTestSupport
@testable import FedSim
import Foundation
import XCTest

/// `dataset: {kind: csv, label_column: NAME|INDEX, labels: auto}`: read, written resolved,
/// applied when the data is prepared, and the class names recorded in labels.csv.
final class CSVDatasetConfigTests: XCTestCase {
    private func parse(_ yaml: String, base: String = "/data") throws -> Scenario {
        try Scenario.parse(yaml: yaml, file: "x.yaml", baseDirectory: base)
    }

    func testKeysReadAndRoundTripAndLeaveOldFingerprintsAlone() throws {
        let byName = try parse("dataset: {kind: csv, path: d.csv, label_column: species, labels: auto}\n")
        XCTAssertEqual(byName.dataset.csvLabels, CSVLabels(column: .name("species"), mode: .auto))
        let byIndex = try parse("dataset: {kind: csv, path: d.csv, label_column: 0}\n")
        XCTAssertEqual(byIndex.dataset.csvLabels, CSVLabels(column: .index(0), mode: .integer))
        let quoted = try parse("dataset: {kind: csv, path: d.csv, label_column: \"3\"}\n")
        XCTAssertEqual(quoted.dataset.csvLabels.column, .name("3"), "a quoted number is a header name")
        for s in [byName, byIndex, quoted] {
            XCTAssertEqual(try parse(s.resolvedYAML(), base: "/").dataset, s.dataset)
        }
        // Absent keys are not written: a scenario from before them keeps its fingerprint.
        let plain = try parse("dataset: {kind: csv, path: d.csv}\n")
        let keys = plain.resolvedYAML().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertFalse(keys.contains { $0.hasPrefix("label_column:") || $0.hasPrefix("labels:") }, plain.resolvedYAML())
        XCTAssertNotEqual(plain.fingerprint, byIndex.fingerprint)
    }

    func testBadValuesAreOneLineWithTheKey() {
        XCTAssertThrowsError(try parse("dataset: {kind: csv, path: d.csv, label_column: -1}\n")) {
            XCTAssertEqual("\($0)", "x.yaml:1:49: dataset.label_column: -1 is out of range; allowed: a column index >= 0 (0 is the first) or a header name")
        }
        XCTAssertThrowsError(try parse("dataset: {kind: csv, path: d.csv, labels: atuo}\n")) {
            XCTAssertEqual("\($0)", "x.yaml:1:43: dataset.labels: unknown value \"atuo\"; did you mean auto? allowed: integer, auto")
        }
    }

    func testStringLabelsTrainAndAreRecordedInLabelsCSV() throws {
        let dir = try TemporaryDirectory(prefix: "fedsim-csv")
        defer { dir.remove() }
        // Two separable classes named by strings, in a middle column.
        var rows = ["x1,kind,x2"]
        for i in 0..<40 {
            let cls = i % 2 == 0 ? "wolf" : "husky"
            rows.append("\(Double(i % 2) * 4 + Double(i % 5) * 0.1),\(cls),\(Double(i % 2) * -3 + Double(i % 7) * 0.1)")
        }
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: dir.path + "/d.csv"))
        let s = try parse("name: c\ndataset: {kind: csv, path: d.csv, label_column: kind, labels: auto, test_fraction: 0.25}\n"
                          + "model: {kind: logistic}\nfederation: {clients: 2, rounds: 1}\n", base: dir.path)
        let data = try FederationData.prepare(s)
        XCTAssertEqual(data.train.classNames, ["husky", "wolf"])
        XCTAssertEqual(data.train.classes, 2)
        XCTAssertEqual(data.train.dimension, 2)
        XCTAssertEqual(data.train.count + data.test.count, 40)
        _ = try RunResults(directory: dir.path + "/run", scenario: s, labelCounts: data.partition.labelCounts(of: data.train),
                           classNames: data.train.classNames)
        XCTAssertEqual(try String(contentsOfFile: dir.path + "/run/labels.csv", encoding: .utf8), "class,label\n0,husky\n1,wolf\n")
    }
}
