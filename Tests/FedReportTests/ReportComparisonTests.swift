import Foundation
import XCTest
@testable import FedReport
import FedResults

/// The comparison report: loading, the terminal and Markdown tables, the worst-case ranking
/// and the HTML document, on a hand-built folder (ReportFixtures.comparison).
final class ReportComparisonTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws { dir = try ReportFixtures.comparison() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    // MARK: - Loading

    func testLoadsCellsAxesAndRounds() throws {
        let r = try ComparisonResults.load(directory: dir)
        XCTAssertEqual(r.cells.count, 12)
        XCTAssertEqual(r.attacks, ["none", "backdoor"])
        XCTAssertEqual(r.defenses, ["fedavg", "median", "krum"])
        XCTAssertEqual(r.seeds, ["1", "2"])
        XCTAssertEqual(r.rounds.count, 11, "the failed cell has no folder and is tolerated")
        XCTAssertNil(r.rounds["backdoor--krum--seed2"])
        XCTAssertEqual(r.rounds["none--fedavg--seed1"]?.rows.map(\.round), [1, 2, 3])
        XCTAssertEqual(r.unfinished.map(\.folderName), ["backdoor--krum--seed2"])
        XCTAssertEqual(r.unfinished.first?.error, ReportFixtures.failureReason, "quoted field read back whole")
        XCTAssertEqual(r.spec?.hasPrefix("name: fixture"), true)
        XCTAssertEqual(r.baseScenario?.contains("a < b & c"), true)
    }

    func testUnknownStatusIsAOneLineError() throws {
        let csv = try CSVTable.parse("attack,defense,seed,status\nnone,fedavg,1,done\n", file: "x/compare.csv")
        XCTAssertThrowsError(try ComparisonResults.parseCells(csv)) { error in
            XCTAssertEqual("\(error)", #"x/compare.csv:2: status: expected completed, diverged, failed, interrupted or pending, got "done""#)
        }
    }

    // MARK: - Table

    func testCellsAreMeanAndSampleStdOverCompletedSeeds() throws {
        let t = ComparisonTable(try ComparisonResults.load(directory: dir))
        // Prepare / Execute / Assert: (attack, defense, mean, std by hand with ddof 1, text)
        let cases: [(String, String, Double, Double?, String)] = [
            ("none", "fedavg", 0.91, 0.02 / 2.0.squareRoot(), "0.910 ± 0.014"),
            ("none", "median", 0.89, 0.02 / 2.0.squareRoot(), "0.890 ± 0.014"),
            ("none", "krum", 0.86, 0.02 / 2.0.squareRoot(), "0.860 ± 0.014"),
            ("backdoor", "fedavg", 0.45, 0.10 / 2.0.squareRoot(), "0.450 ± 0.071"),
            ("backdoor", "median", 0.72, 0.04 / 2.0.squareRoot(), "0.720 ± 0.028"),
            ("backdoor", "krum", 0.80, nil, "0.800 (1 failed)"),
        ]
        for (attack, defense, mean, std, text) in cases {
            let c = try XCTUnwrap(t.cell(attack: attack, defense: defense))
            XCTAssertEqual(c.mean ?? -1, mean, accuracy: 1e-12, "\(attack)/\(defense)")
            if let std { XCTAssertEqual(c.std ?? -1, std, accuracy: 1e-12, "\(attack)/\(defense)") } else { XCTAssertNil(c.std) }
            XCTAssertEqual(c.text, text)
        }
        XCTAssertEqual(t.best, [[0], [2]], "none: fedavg; backdoor: krum")
    }

    func testCellTextCases() {
        let seeds = { (s: [ComparisonResults.Status], acc: [Double?]) in
            ComparisonTable.cell(zip(s, acc).map { ComparisonResults.Cell(attack: "a", defense: "d", seed: "1", status: $0, finalAccuracy: $1) })
        }
        XCTAssertEqual(seeds([.failed, .failed], [nil, nil]).text, "failed")
        XCTAssertEqual(seeds([.interrupted], [0.5]).text, "interrupted")
        XCTAssertEqual(seeds([.completed], [0.5]).text, "0.500")
        XCTAssertEqual(seeds([], []).text, "-")
        XCTAssertEqual(ComparisonTable.meanStd([1, 2, 3, 4]).std ?? 0, (5.0 / 3).squareRoot(), accuracy: 1e-12)
    }

    func testWorstCaseRankingByHand() throws {
        let t = ComparisonTable(try ComparisonResults.load(directory: dir))
        // krum keeps 0.80 under backdoor, median 0.72, fedavg 0.45.
        XCTAssertEqual(t.ranking.map(\.defense), ["krum", "median", "fedavg"])
        XCTAssertEqual(t.ranking.map(\.attack), ["backdoor", "backdoor", "backdoor"])
        XCTAssertEqual(t.ranking[0].accuracy ?? 0, 0.80, accuracy: 1e-12)
        XCTAssertEqual(t.ranking[2].accuracy ?? 0, 0.45, accuracy: 1e-12)
    }

    func testDefenseWithAFullyFailedAttackRanksLast() throws {
        let csv = try CSVTable.parse("""
            attack,defense,seed,status,final_accuracy,error
            none,a,1,completed,0.9,
            none,b,1,completed,0.95,
            x,a,1,completed,0.3,
            x,b,1,failed,,boom
            """, file: "compare.csv")
        let t = ComparisonTable(ComparisonResults(directory: "d", csv: csv, cells: try ComparisonResults.parseCells(csv)))
        XCTAssertEqual(t.ranking.map(\.defense), ["a", "b"])
        XCTAssertEqual(t.ranking[1].unfinishedAttacks, ["x"])
        XCTAssertEqual(t.rankingRows()[1], ["2", "b", "x", "failed (else 0.950)", "0.950", "-"])
        XCTAssertEqual(t.cell(attack: "x", defense: "b")?.text, "failed")
    }

    func testTerminalTableLayout() throws {
        let t = ComparisonTable(try ComparisonResults.load(directory: dir))
        let text = t.terminal()
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertFalse(text.contains("\u{1B}"), "no ANSI codes unless asked")
        let h = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("attack ") })
        XCTAssertEqual(lines[h].split(separator: " ", omittingEmptySubsequences: true), ["attack", "fedavg", "median", "krum"])
        XCTAssertTrue(lines[h + 1].hasPrefix("none "))
        XCTAssertTrue(lines[h + 1].contains("0.910 ± 0.014*"))
        XCTAssertTrue(lines[h + 1].contains("0.890 ± 0.014 "))
        XCTAssertEqual(lines[h + 2].split(separator: " "), ["tpr/fpr", "n/a", "-", "-"], "no attacker: no rates in this fixture")
        XCTAssertTrue(lines[h + 3].hasPrefix("backdoor "))
        XCTAssertTrue(lines[h + 3].hasSuffix("0.800 (1 failed)*"))
        XCTAssertEqual(lines[h + 4].split(separator: " "), ["asr", "0.550", "±", "0.071", "0.280", "±", "0.028", "0.200"])
        XCTAssertEqual(lines[h + 5].split(separator: " "), ["tpr/fpr", "n/a", "0.50/0.10", "0.50/0.10"])
        XCTAssertEqual(Set(lines[h...(h + 5)].map(\.count)).count, 1, "columns aligned")
        let rank = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Worst case first") })
        XCTAssertEqual(lines[rank + 2].split(separator: " "), ["1", "krum", "backdoor", "0.800", "0.800", "0.200"])
        XCTAssertEqual(lines[rank + 4].split(separator: " "), ["3", "fedavg", "backdoor", "0.450", "0.450", "0.550"])

        let bold = t.terminal(bold: true)
        XCTAssertEqual(bold.components(separatedBy: "\u{1B}[1m").count - 1, 2, "one bold cell per attack")
    }

    func testMarkdown() throws {
        let md = ComparisonTable(try ComparisonResults.load(directory: dir)).markdown()
        XCTAssertTrue(md.contains("| attack | fedavg | median | krum |"))
        XCTAssertTrue(md.contains("| none | **0.910 ± 0.014\\*** | 0.890 ± 0.014 | 0.860 ± 0.014 |"))
        XCTAssertTrue(md.contains("| 1 | krum | backdoor | 0.800 | 0.800 | 0.200 |"))
        XCTAssertTrue(md.contains("| ↳ asr | 0.550 ± 0.071 | 0.280 ± 0.028 | 0.200 |"))
    }

    // MARK: - HTML

    func testHTMLParsesAndHasOneAccuracyChartPerAttack() throws {
        let html = HTMLReport.comparison(try ComparisonResults.load(directory: dir))
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\""))
        let probe = XMLProbe()
        XCTAssertTrue(probe.parse(html), "XMLParser: \(String(describing: probe.error))")
        let charts = probe.elements(withClass: "accuracy-per-round")
        XCTAssertEqual(charts.compactMap { $0["data-attack"] }, ["none", "backdoor"])
        XCTAssertEqual(probe.elements(withClass: "verdict-heatmap").count, 1)
        XCTAssertEqual(probe.elements(withClass: "asr-per-round").compactMap { $0["data-attack"] }, ["backdoor"])
        XCTAssertEqual(probe.elements(withClass: "attack-success").count, 1, "backdoor has a success rate")
        XCTAssertEqual(probe.elements(withClass: "detection-heatmap").count, 1)
        XCTAssertEqual(probe.elements(withClass: "failed-cells").count, 1)
        XCTAssertEqual(probe.elements(withClass: "ranking").count, 1)
        XCTAssertEqual(probe.elements(withClass: "compare-csv").count, 1)
        // Every defense has a completed seed under each attack: 3 + 3 accuracy series, and 3
        // attack success series under the backdoor; bands where two seeds completed (not
        // backdoor/krum, whose seed 2 failed).
        XCTAssertEqual(probe.elements(withClass: "series").count, 9)
        XCTAssertEqual(probe.elements(withClass: "band").count, 5 + 2)
        XCTAssertTrue(probe.text.contains(ReportFixtures.failureReason), "the failed cell's reason, unescaped by the parser")
        XCTAssertTrue(probe.text.contains("a < b & c"), "the base scenario")
        XCTAssertTrue(probe.text.contains("attacks: [none, backdoor]"), "the spec")
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("&nbsp;"))
    }

    func testHTMLEscapesText() throws {
        let html = HTMLReport.comparison(try ComparisonResults.load(directory: dir))
        XCTAssertTrue(html.contains("Krum needs n &gt; 2f + 2; got n = 8, f = 3 &lt;&amp;&quot;x&quot;&gt;"))
        XCTAssertFalse(html.contains(ReportFixtures.failureReason))
        XCTAssertEqual(XMLText.escape("a<b>&\"c'\u{7}"), "a&lt;b&gt;&amp;&quot;c&#39;")
    }

    func testNamesThatNeedEscapingStillParse() throws {
        let csv = try CSVTable.parse("attack,defense,seed,status,final_accuracy,attack_success_rate\n"
                                     + "\"a<&\"\"b\",\"d>\",1,completed,0.5,0.25\n", file: "compare.csv")
        let r = ComparisonResults(directory: "/tmp/x&y", csv: csv, cells: try ComparisonResults.parseCells(csv))
        let probe = XMLProbe()
        XCTAssertTrue(probe.parse(HTMLReport.comparison(r)), "XMLParser: \(String(describing: probe.error))")
        XCTAssertEqual(probe.elements(withClass: "accuracy-per-round").first?["data-attack"], "a<&\"b")
    }
}
