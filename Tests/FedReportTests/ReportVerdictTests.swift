import Foundation
import XCTest
@testable import FedReport
import FedResults

/// The verdict of a comparison: the score min(accuracy, 1 - ASR) decides the best mark and
/// the worst-case ranking where accuracy and attack success disagree; detection "n/a" for
/// rules that keep nothing out; a report of a comparison that stopped with pending cells; the
/// colour scale that one outlier does not flatten.
final class ReportVerdictTests: XCTestCase {
    /// FedAvg keeps its accuracy under the backdoor (0.97) and lets it through (ASR 0.97);
    /// median loses a little accuracy (0.90) and stops it (ASR 0.05); krum keeps honest
    /// updates out without an attack (FPR 0.94).
    static let csv = """
        attack,defense,seed,status,final_accuracy,attack_success_rate,detection_tpr,detection_fpr
        none,fedavg,1,completed,0.98,,,0
        none,fedavg,2,completed,0.96,,,0
        none,median,1,completed,0.95,,,0
        none,median,2,completed,0.93,,,0
        none,krum,1,completed,0.92,,,0.94
        none,krum,2,completed,0.90,,,0.94
        backdoor,fedavg,1,completed,0.98,0.93,0,0
        backdoor,fedavg,2,completed,0.96,1.0,0,0
        backdoor,median,1,completed,0.91,0.04,0,0
        backdoor,median,2,completed,0.89,0.06,0,0
        backdoor,krum,1,completed,0.88,0.10,1,0.9
        backdoor,krum,2,completed,0.86,0.20,1,0.9
        """

    private func table(_ text: String = csv) throws -> ComparisonTable {
        let csv = try CSVTable.parse(text, file: "compare.csv")
        return ComparisonTable(ComparisonResults(directory: "d", csv: csv, cells: try ComparisonResults.parseCells(csv)))
    }

    func testScoreIsTheWorseOfAccuracyAndOneMinusASR() {
        XCTAssertEqual(ComparisonTable.score(accuracy: 0.97, asr: 0.97) ?? -1, 0.03, accuracy: 1e-12)
        XCTAssertEqual(ComparisonTable.score(accuracy: 0.60, asr: 0.10) ?? -1, 0.60, accuracy: 1e-12)
        XCTAssertEqual(ComparisonTable.score(accuracy: 0.90, asr: nil), 0.90, "no ASR: the accuracy")
        XCTAssertNil(ComparisonTable.score(accuracy: nil, asr: 0.5))
    }

    func testHighAccuracyWithTheBackdoorThroughIsNotBest() throws {
        let t = try table()
        let fedavg = try XCTUnwrap(t.cell(attack: "backdoor", defense: "fedavg"))
        // Per seed: min(0.98, 0.07) = 0.07 and min(0.96, 0) = 0: mean 0.035.
        XCTAssertEqual(fedavg.mean ?? -1, 0.97, accuracy: 1e-12, "its accuracy is the highest")
        XCTAssertEqual(fedavg.asr ?? -1, 0.965, accuracy: 1e-12)
        XCTAssertEqual(fedavg.score ?? -1, 0.035, accuracy: 1e-12)
        // median: min(0.91, 0.96) = 0.91, min(0.89, 0.94) = 0.89: 0.90. krum: 0.88 and 0.80: 0.84.
        XCTAssertEqual(t.cell(attack: "backdoor", defense: "median")?.score ?? -1, 0.90, accuracy: 1e-12)
        XCTAssertEqual(t.cell(attack: "backdoor", defense: "krum")?.score ?? -1, 0.84, accuracy: 1e-12)
        XCTAssertEqual(t.best, [[0], [1]], "none: fedavg (0.97); backdoor: median, not fedavg")

        // Worst case first: median 0.90 (backdoor), krum 0.84 (backdoor), fedavg 0.035 (backdoor).
        XCTAssertEqual(t.ranking.map(\.defense), ["median", "krum", "fedavg"])
        XCTAssertEqual(t.ranking.map(\.attack), ["backdoor", "backdoor", "backdoor"])
        XCTAssertEqual(t.ranking[2].score ?? -1, 0.035, accuracy: 1e-12)
        XCTAssertEqual(t.ranking[2].accuracy ?? -1, 0.97, accuracy: 1e-12)
        XCTAssertEqual(t.rankingRows()[2], ["3", "fedavg", "backdoor", "0.035", "0.970", "0.965"])
    }

    func testTerminalShowsASRBesideAccuracyAndDetectionForRulesThatDetect() throws {
        let t = try table()
        XCTAssertEqual(t.detects, [false, false, true], "fedavg and median never kept an update out")
        let lines = t.terminal().split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("attack ") })
        XCTAssertEqual(lines[header].split(separator: " "), ["attack", "fedavg", "median", "krum"])
        // none, its detection row; backdoor, its asr row, its detection row.
        XCTAssertEqual(lines[header + 1].split(separator: " ", omittingEmptySubsequences: true),
                       ["none", "0.970", "±", "0.014*", "0.940", "±", "0.014", "0.910", "±", "0.014"])
        XCTAssertEqual(lines[header + 2].split(separator: " "), ["tpr/fpr", "n/a", "n/a", "-/0.94"])
        XCTAssertEqual(lines[header + 3].split(separator: " "),
                       ["backdoor", "0.970", "±", "0.014", "0.900", "±", "0.014*", "0.870", "±", "0.014"])
        XCTAssertEqual(lines[header + 4].split(separator: " "),
                       ["asr", "0.965", "±", "0.049", "0.050", "±", "0.014", "0.150", "±", "0.071"])
        XCTAssertEqual(lines[header + 5].split(separator: " "), ["tpr/fpr", "n/a", "n/a", "1.00/0.90"])
        XCTAssertEqual(Set(lines[header...(header + 5)].map(\.count)).count, 1, "columns aligned")
        XCTAssertTrue(lines.contains { $0.contains("min(accuracy, 1 - asr)") }, "the score is stated")
        let rank = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Worst case first") })
        XCTAssertEqual(lines[rank + 1].split(separator: " "), ["rank", "defense", "worst", "attack", "score", "accuracy", "asr"])
        XCTAssertEqual(lines[rank + 2].split(separator: " "), ["1", "median", "backdoor", "0.900", "0.900", "0.050"])
    }

    func testHTMLStarsByScoreAndMarksDetectionNotApplicable() throws {
        let dir = try ReportFixtures.temporaryFolder("verdict")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ReportFixtures.write(Self.csv + "\n", to: dir + "/compare.csv")
        let html = HTMLReport.comparison(try ComparisonResults.load(directory: dir))
        let probe = XMLProbe()
        XCTAssertTrue(probe.parse(html), "XMLParser: \(String(describing: probe.error))")
        XCTAssertTrue(probe.text.contains("0.900 ± 0.014*asr 0.050 ± 0.014"), "median starred, its ASR below")
        XCTAssertTrue(probe.text.contains("0.970 ± 0.014 ▼asr 0.965 ± 0.049"),
                      "fedavg under the backdoor: no star, its score 0.035 an outlier below the colour scale")
        XCTAssertEqual(probe.elements(withClass: "detection-heatmap").count, 1)
        XCTAssertEqual(probe.elements(withClass: "fpr-heatmap").count, 1, "the false-positive map beside it")
        // fedavg and median: n/a in both maps, in grey (no value), never 0.000.
        // Detection map: the backdoor row; false positives: none and backdoor. Each n/a cell
        // also has it in its tooltip, and the caption explains it once: (1 + 2) x 2 x 2 + 1.
        XCTAssertEqual(probe.text.components(separatedBy: "n/a").count - 1, 13)
        XCTAssertFalse(probe.text.contains("0.000"), "no rate drawn for rules that keep nothing out")
        XCTAssertEqual(probe.elements(withClass: "asr-per-round").count, 0, "no rounds.csv in this folder: no ASR curves")
    }

    // MARK: - A comparison that stopped

    func testReportOnAPendingCompareCSV() throws {
        let dir = try ReportFixtures.temporaryFolder("pending")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ReportFixtures.write("""
            attack,defense,seed,status,final_accuracy,attack_success_rate,detection_tpr,detection_fpr,error
            none,fedavg,1,completed,0.9,,,,
            none,median,1,interrupted,,,,,interrupted
            backdoor,fedavg,1,pending,,,,,
            backdoor,median,1,pending,,,,,

            """, to: dir + "/compare.csv")
        let results = try ComparisonResults.load(directory: dir)
        let t = ComparisonTable(results)
        XCTAssertEqual(t.cell(attack: "backdoor", defense: "fedavg")?.text, "pending")
        XCTAssertEqual(t.cell(attack: "none", defense: "median")?.text, "interrupted")
        XCTAssertEqual(t.rankingRows()[0], ["1", "fedavg", "backdoor", "not completed (else 0.900)", "0.900", "-"])
        let path = try ReportWriter.write(results)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        let probe = XMLProbe()
        XCTAssertTrue(probe.parse(html), "XMLParser: \(String(describing: probe.error))")
        XCTAssertTrue(probe.text.contains("rerun the same fedsim compare command"), "how to go on")
        XCTAssertEqual(probe.elements(withClass: "failed-cells").count, 1)
        XCTAssertTrue(probe.text.contains("pending"))
    }

    // MARK: - Colour scale

    func testColorScaleIgnoresOneOutlier() {
        // The worked example of ColorScale's documentation.
        let scale = ColorScale.robust([0.95, 0.96, 0.96, 0.97, 0.10])
        XCTAssertEqual(scale.range.lowerBound, 0.93, accuracy: 1e-12)
        XCTAssertEqual(scale.range.upperBound, 0.99, accuracy: 1e-12)
        XCTAssertEqual(scale.side(0.10), -1)
        XCTAssertEqual(scale.side(0.96), 0)
        XCTAssertEqual(ColorScale.quantile([1, 2, 3, 4], 0.25), 1.75, accuracy: 1e-12, "numpy's linear quantile")
        // Spread data keeps its whole span; a flat one is widened to the minimum span.
        XCTAssertEqual(ColorScale.robust([0.2, 0.4, 0.6, 0.8]).range, 0.2...0.8)
        XCTAssertEqual(ColorScale.robust([1, 1, 1]).range, 0.95...1.0)
        XCTAssertEqual(ColorScale.robust([]).range, 0...1)

        // 62 cells between 0.95 and 0.97 and one at 0.10: only that one is marked.
        let steps: [Double] = [0.95, 0.96, 0.97]
        let row: [Double?] = (0..<62).map { i -> Double? in steps[i % 3] } + [0.10]
        let values: [[Double?]] = [row]
        let svg = SVGChart.heatMap(SVGChart.Labels(title: "t", x: "x", y: "y"), rows: ["r"],
                                   columns: (0..<63).map { "c\($0)" }, values: values,
                                   cellLabels: [values[0].map { String($0 ?? 0) }],
                                   range: ColorScale.robust(values[0].compactMap { $0 }).range)
        let probe = XMLProbe()
        XCTAssertTrue(probe.parse(svg), "XMLParser: \(String(describing: probe.error))")
        XCTAssertEqual(probe.elements(withClass: "outlier").count, 1)
        XCTAssertTrue(probe.text.contains("0.1 ▼"))
        XCTAssertTrue(probe.text.contains("▼ below the scale"))
        let fills = Set(probe.elements.filter { $0.name == "rect" }.compactMap { $0.attributes["fill"] })
        XCTAssertGreaterThanOrEqual(fills.count, 3 + 40, "the 62 cells take three colours, besides the bar's 40")
    }

    // MARK: - Sweeps

    /// compare.csv of a sweep over two keys: rows per attack and values, accuracy-vs-axis
    /// charts per attack and value of the other key, a heat map per attack and defense.
    func testSweepRowsChartsAndHeatMaps() throws {
        var csv = "attack,defense,attack.malicious,partition.alpha,seed,status,final_accuracy,attack_success_rate\n"
        for defense in ["fedavg", "median"] {
            for alpha in ["0.1", "1.0"] { csv += "none,\(defense),,\(alpha),1,completed,0.9,\n" }
        }
        for defense in ["fedavg", "median"] {
            for share in ["0.1", "0.2", "0.3"] {
                for alpha in ["0.1", "1.0"] {
                    let acc = defense == "fedavg" ? 0.9 - Double(share)! : 0.85
                    csv += "backdoor,\(defense),\(share),\(alpha),1,completed,\(acc),\(Double(share)!)\n"
                }
            }
        }
        let table = try CSVTable.parse(csv, file: "compare.csv")
        let r = ComparisonResults(directory: "d", csv: table, cells: try ComparisonResults.parseCells(table))
        XCTAssertEqual(r.axes, ["attack.malicious", "partition.alpha"])
        XCTAssertEqual(r.attacks.first, "none alpha=0.1")
        XCTAssertEqual(r.attacks.count, 2 + 6)
        XCTAssertEqual(HTMLReport.axisValues(r, "attack.malicious"), ["0.1", "0.2", "0.3"])
        XCTAssertFalse(HTMLReport.logarithmic(["0.1", "0.2", "0.3"]), "a factor of 3: linear")
        XCTAssertTrue(HTMLReport.logarithmic(["0.1", "1.0", "10"]), "two decades: log10")
        XCTAssertFalse(HTMLReport.logarithmic(["0", "10"]), "zero has no logarithm")
        let t = ComparisonTable(r)
        // backdoor at 0.3: fedavg min(0.6, 0.7) = 0.6, median min(0.85, 0.7) = 0.7.
        XCTAssertEqual(t.cell(attack: "backdoor malicious=0.3 alpha=0.1", defense: "median")?.score ?? -1, 0.7, accuracy: 1e-12)
        XCTAssertEqual(t.best[t.attacks.firstIndex(of: "backdoor malicious=0.3 alpha=0.1") ?? 0], [1])

        let probe = XMLProbe()
        XCTAssertTrue(probe.parse(HTMLReport.comparison(r)), "XMLParser: \(String(describing: probe.error))")
        // Against attack.malicious: backdoor at alpha 0.1 and 1.0, accuracy and ASR each (none
        // has no attack.malicious). Against partition.alpha: none, and backdoor at 3 shares.
        let accuracy = probe.elements(withClass: "sweep-accuracy")
        XCTAssertEqual(accuracy.filter { $0["data-axis"] == "attack.malicious" }.count, 2)
        XCTAssertEqual(accuracy.filter { $0["data-axis"] == "partition.alpha" }.count, 1 + 3)
        XCTAssertEqual(probe.elements(withClass: "sweep-asr").count, 2 + 3)
        // One pair of axes: backdoor x 2 defenses.
        XCTAssertEqual(probe.elements(withClass: "sweep-heatmap").compactMap { $0["data-defense"] }, ["fedavg", "median"])
        XCTAssertTrue(probe.text.contains("0.600"), "fedavg's score at 0.3 in its map")
    }
}
