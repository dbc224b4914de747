import Foundation
import XCTest
@testable import FedReport
import FedResults

/// The run report, ReportWriter's folder detection, and the CSV reader's errors.
final class ReportRunTests: XCTestCase {
    private var folders: [String] = []

    override func tearDownWithError() throws {
        for f in folders { try? FileManager.default.removeItem(atPath: f) }
    }

    private func folder(_ make: () throws -> String) rethrows -> String {
        let f = try make()
        folders.append(f)
        return f
    }

    // MARK: - Run folder

    func testRunFolderLoads() throws {
        let r = try RunReportData.load(directory: folder(ReportFixtures.run))
        XCTAssertEqual(r.rounds.rows.map(\.round), [1, 2, 3, 4])
        XCTAssertEqual(r.rounds.rows.last?.testAccuracy, 0.8)
        XCTAssertEqual(r.rounds.rows.last?.epsilon, 2.0)
        XCTAssertEqual(r.rounds.rows.last?.maliciousSelected, 1)
        XCTAssertEqual(r.name, "run <fixture> & co")
        XCTAssertEqual(r.summary?.first { $0.key == "seed" }?.value, "18446744073709551615", "large seeds print whole")
        XCTAssertEqual(r.summary?.first { $0.key == "wall_seconds" }?.value, "1.25")
        var expected = RunReportData.Selection()
        (expected.honestReceived, expected.honestSelected, expected.maliciousReceived, expected.maliciousSelected) = (12, 12, 4, 2)
        expected.hasDecisions = true
        XCTAssertEqual(r.selection, expected)
    }

    func testRunHTMLParsesWithEveryChart() throws {
        let html = HTMLReport.run(try RunReportData.load(directory: folder(ReportFixtures.run)))
        let probe = XMLProbe()
        XCTAssertTrue(probe.parse(html), "XMLParser: \(String(describing: probe.error))")
        for chart in ["run-accuracy", "run-loss", "run-attack-success", "run-detection", "run-epsilon"] {
            XCTAssertEqual(probe.elements(withClass: chart).count, 1, chart)
        }
        XCTAssertEqual(probe.elements(withClass: "summary").count, 1)
        XCTAssertEqual(probe.elements(withClass: "selection").count, 1)
        XCTAssertTrue(probe.text.contains("name: \"run <fixture> & co\""), "the scenario")
        XCTAssertTrue(html.contains("run &lt;fixture&gt; &amp; co"))
    }

    func testRunWithoutOptionalFilesStillRenders() throws {
        let dir = try folder { try ReportFixtures.temporaryFolder("bare") }
        try ReportFixtures.write(ReportFixtures.roundsCSV(accuracies: [0.5], attack: false), to: dir + "/rounds.csv")
        let r = try RunReportData.load(directory: dir)
        XCTAssertNil(r.summary)
        XCTAssertNil(r.scenario)
        let probe = XMLProbe()
        XCTAssertTrue(probe.parse(HTMLReport.run(r)), "XMLParser: \(String(describing: probe.error))")
        XCTAssertEqual(probe.elements(withClass: "run-accuracy").count, 1)
        XCTAssertEqual(probe.elements(withClass: "run-attack-success").count, 0, "no attack, no chart")
        XCTAssertEqual(probe.elements(withClass: "run-epsilon").count, 0)
    }

    // MARK: - ReportWriter

    func testWriterPicksTheKindAndWritesReportHTML() throws {
        let run = try folder(ReportFixtures.run)
        let comparison = try folder(ReportFixtures.comparison)
        XCTAssertEqual(try ReportWriter.kind(of: run), .run)
        XCTAssertEqual(try ReportWriter.kind(of: comparison), .comparison)
        for (dir, marker) in [(run, "fedsim run:"), (comparison, "fedsim comparison:")] {
            let path = try ReportWriter.write(folder: dir)
            XCTAssertEqual(path, dir + "/report.html")
            let html = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(html.contains(marker), marker)
        }
    }

    func testNotARunFolderIsAOneLineError() throws {
        let dir = try folder { try ReportFixtures.temporaryFolder("empty") }
        try ReportFixtures.write("x", to: dir + "/notes.txt")
        XCTAssertThrowsError(try ReportWriter.write(folder: dir)) { error in
            XCTAssertEqual("\(error)", "\(dir): no compare.csv or rounds.csv; not a fedsim run or comparison")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/report.html"))
    }

    // MARK: - CSV reader

    func testCSVReaderErrors() {
        XCTAssertThrowsError(try CSVTable.parse("a,b\n\"open,1\n", file: "t.csv")) { error in
            XCTAssertEqual("\(error)", "t.csv:2: quoted field never ends")
        }
        XCTAssertThrowsError(try CSVTable.parse("", file: "t.csv")) { XCTAssertEqual("\($0)", "t.csv: empty file (no CSV header)") }
        XCTAssertThrowsError(try RoundsFile(table: CSVTable.parse("x\n1\n", file: "r.csv"))) {
            XCTAssertEqual("\($0)", "r.csv: no column \"round\"")
        }
        let short = CSVTable(file: "t.csv", header: ["a", "b", "c"], rows: [["1"]])
        XCTAssertEqual(short.rows, [["1", "", ""]], "short rows are padded")
    }

    // MARK: - Charts

    func testAxisTicksAreNice() {
        XCTAssertEqual(SVGChart.Axis(fixed: 0...1).ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0].map { $0 }, accuracy: 1e-12)
        XCTAssertEqual(SVGChart.Axis(span: (1, 30), integer: true).ticks, [5, 10, 15, 20, 25, 30])
        XCTAssertEqual(SVGChart.Axis(span: (0, 2.3)).upper, 2.5, accuracy: 1e-12)
        XCTAssertEqual(SVGChart.Axis(span: (3, 3), integer: true).ticks, [2, 3, 4])
    }

    func testHeatMapTextContrastsWithItsCell() {
        XCTAssertLessThan(SVGChart.luminance(SVGChart.viridisColor(0)), 0.45, "dark purple low: white text")
        XCTAssertGreaterThan(SVGChart.luminance(SVGChart.viridisColor(1)), 0.45, "yellow high: black text")
        let svg = SVGChart.heatMap(.init(title: "t", x: "x", y: "y"), rows: ["r"], columns: ["lo", "hi", "none"],
                                   values: [[0, 1, nil]], cellLabels: [["0", "1", "failed"]], range: 0...1)
        let probe = XMLProbe()
        XCTAssertTrue(probe.parse(svg))
        let fills = probe.elements.filter { $0.name == "text" }.compactMap { $0.attributes["fill"] }
        XCTAssertTrue(fills.contains("#fff") && fills.contains("#111") && fills.contains("#555"))
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
