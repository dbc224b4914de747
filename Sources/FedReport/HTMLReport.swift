import FedResults
import Foundation

/// The self-contained HTML reports (XHTML with inline SVG and style; no script, no fonts, no
/// external files): one for a comparison folder, one for a single run (HTMLReport+Run.swift).
public enum HTMLReport {
    /// The report of a comparison: intro, worst-case ranking, accuracy heat map, accuracy per
    /// round for each attack, attack success rates, detection, failed cells, compare.csv, and
    /// the base scenario and compare spec.
    public static func comparison(_ r: ComparisonResults) -> String {
        let table = ComparisonTable(r)
        let name = URL(fileURLWithPath: r.directory).lastPathComponent
        var body = HTMLDocument.heading(1, "fedsim comparison: \(name)")
        body += HTMLDocument.paragraph(intro(r), cssClass: "lead")
        body += contents([("ranking", "Worst case first"), ("accuracy", "Final accuracy"),
                          ("rounds", "Accuracy per round"), ("attack-success", "Attack success"),
                          ("detection", "Detection"), ("threats", "Threats"), ("failed", "Failed cells"), ("cells", "All cells"),
                          ("scenario", "Scenario and spec")])

        body += HTMLDocument.heading(2, "Worst case first", id: "ranking")
        body += HTMLDocument.paragraph("""
            Each defense's worst case is its lowest final accuracy (mean over seeds) over all attacks, \
            "none" included. Defenses are ranked by it, best first; a defense that failed under some \
            attack ranks last, as its worst case there is unknown.
            """, cssClass: "note")
        body += rankingTable(table)

        body += HTMLDocument.heading(2, "Final accuracy", id: "accuracy")
        body += accuracyHeatMap(table)

        body += HTMLDocument.heading(2, "Accuracy per round", id: "rounds")
        body += HTMLDocument.paragraph("Test accuracy of the global model after each round, mean over the seeds that completed; one line per defense.",
                                       cssClass: "note")
        body += "<div class=\"charts\">\n"
        for attack in table.attacks { body += accuracyChart(r, attack: attack, defenses: table.defenses) + "\n" }
        body += "</div>\n"

        body += HTMLDocument.heading(2, "Attack success", id: "attack-success")
        body += attackSuccess(r, table)

        body += HTMLDocument.heading(2, "Detection", id: "detection")
        body += detection(r, table)

        body += HTMLDocument.heading(2, "Threats", id: "threats")
        body += threats(r, table)

        body += HTMLDocument.heading(2, "Failed cells", id: "failed")
        body += failedCells(r)

        body += HTMLDocument.heading(2, "All cells (compare.csv)", id: "cells")
        let numeric = Set(r.csv.header.indices.filter { c in
            r.csv.rows.contains { CSVTable.double($0[c]) != nil } && r.csv.header[c] != "seed"
        })
        body += HTMLDocument.table(header: r.csv.header, rows: r.csv.rows, numeric: numeric, cssClass: "compare-csv")

        body += HTMLDocument.heading(2, "Base scenario (base.yaml)", id: "scenario")
        body += HTMLDocument.pre(r.baseScenario, missing: "base.yaml is missing.")
        body += HTMLDocument.heading(2, "Comparison spec (compare.yaml)")
        body += HTMLDocument.pre(r.spec, missing: "compare.yaml is missing.")
        return HTMLDocument.page(title: "fedsim comparison: \(name)", body: body)
    }

    // MARK: - Sections

    static func intro(_ r: ComparisonResults) -> String {
        let count = { (s: ComparisonResults.Status) in r.cells.filter { $0.status == s }.count }
        let attacks = r.attacks.map { $0 == "none" ? "none (no attack)" : $0 }
        return "\(r.defenses.count) defenses (\(r.defenses.joined(separator: ", "))) under \(r.attacks.count) attacks "
            + "(\(attacks.joined(separator: ", "))), \(r.seeds.count) seed\(r.seeds.count == 1 ? "" : "s") "
            + "(\(r.seeds.joined(separator: ", "))): \(r.cells.count) cells, \(count(.completed)) completed, "
            + (count(.diverged) > 0 ? "\(count(.diverged)) diverged (the attack blew the model up; counted with the accuracy it reached), " : "")
            + "\(count(.failed)) failed, \(count(.interrupted) + count(.pending)) interrupted. Accuracy is the global model's test "
            + "accuracy after the last round; means and standard deviations (ddof 1) are over the seeds that completed or diverged."
    }

    static func contents(_ links: [(String, String)]) -> String {
        "<p class=\"note\">" + links.map { "<a href=\"#\($0.0)\">\(XMLText.escape($0.1))</a>" }.joined(separator: " · ") + "</p>\n"
    }

    static func rankingTable(_ t: ComparisonTable) -> String {
        let rows = t.rankingRows().enumerated().map { i, row in
            row + [t.ranking[i].meanAccuracy.map(fmt3) ?? "-"]
        }
        return HTMLDocument.table(header: ["rank", "defense", "worst attack", "accuracy there", "mean over attacks"],
                                  rows: rows, numeric: [0, 3, 4], cssClass: "ranking") { $0 == 0 ? "best" : nil }
    }

    static func accuracyHeatMap(_ t: ComparisonTable) -> String {
        let values = t.cells.map { $0.map(\.mean) }
        let labels = t.attacks.indices.map { a in t.defenses.indices.map { d in t.marked(a, d) } }
        let means = values.flatMap { $0 }.compactMap { $0 }
        let range = niceUnitRange(means)
        return SVGChart.heatMap(SVGChart.Labels(title: "Final test accuracy (mean over seeds; * best per attack)",
                                                x: "defense", y: "attack"),
                                rows: t.attacks, columns: t.defenses, values: values, cellLabels: labels, range: range,
                                attributes: ["class": "chart heatmap accuracy-heatmap"]) + "\n"
    }

    static func accuracyChart(_ r: ComparisonResults, attack: String, defenses: [String]) -> String {
        var series: [SVGChart.Series] = []
        for (d, defense) in defenses.enumerated() {
            let files = r.completedRounds(attack: attack, defense: defense)
            guard !files.isEmpty else { continue }
            let points = RoundsFile.meanPerRound(files) { $0.testAccuracy }.map { SVGChart.Point(x: $0.x, y: $0.y) }
            series.append(SVGChart.Series(name: defense, points: points, color: d))
        }
        let title = attack == "none" ? "No attack" : "Attack: \(attack)"
        return SVGChart.line(SVGChart.Labels(title: title, x: "round", y: "test accuracy"), series: series, yRange: 0...1,
                             attributes: ["class": "chart accuracy-per-round", "data-attack": attack])
    }

    static func attackSuccess(_ r: ComparisonResults, _ t: ComparisonTable) -> String {
        let attacks = t.attacks.filter { a in r.cells.contains { $0.attack == a && $0.attackSuccessRate != nil } }
        guard !attacks.isEmpty else {
            return HTMLDocument.paragraph("No attack in this comparison has a success metric (backdoor and targeted label flipping do).",
                                          cssClass: "note")
        }
        let series = t.defenses.enumerated().map { d, defense in
            SVGChart.Series(name: defense, points: attacks.enumerated().map { g, attack in
                SVGChart.Point(x: Double(g), y: meanOverCompleted(r, attack: attack, defense: defense, \.attackSuccessRate))
            }, color: d)
        }
        return HTMLDocument.paragraph("Final attack success rate on the global model (mean over completed seeds); lower is better.",
                                      cssClass: "note")
            + SVGChart.groupedBars(SVGChart.Labels(title: "Attack success rate (lower is better)", x: "attack",
                                                   y: "attack success rate"),
                                   groups: attacks, series: series, attributes: ["class": "chart attack-success"]) + "\n"
    }

    static func detection(_ r: ComparisonResults, _ t: ComparisonTable) -> String {
        let attacks = t.attacks.filter { a in r.cells.contains { $0.attack == a && $0.detectionTPR != nil } }
        guard !attacks.isEmpty else {
            return HTMLDocument.paragraph("No rule in this comparison made per-client decisions under attack.", cssClass: "note")
        }
        let values = attacks.map { a in t.defenses.map { d in meanOverCompleted(r, attack: a, defense: d, \.detectionTPR) } }
        let labels = values.map { $0.map { $0.map(fmt3) ?? "-" } }
        return HTMLDocument.paragraph("Detection true-positive rate: the share of malicious updates the rule kept out of the aggregate (mean over rounds, then over seeds); higher is better. \"-\": the rule makes no per-client decisions.",
                                      cssClass: "note")
            + SVGChart.heatMap(SVGChart.Labels(title: "Detection rate (malicious updates kept out)", x: "defense", y: "attack"),
                               rows: attacks, columns: t.defenses, values: values, cellLabels: labels, range: 0...1,
                               attributes: ["class": "chart heatmap detection-heatmap"]) + "\n"
    }

    static func failedCells(_ r: ComparisonResults) -> String {
        let cells = r.unfinished
        guard !cells.isEmpty else { return HTMLDocument.paragraph("Every cell completed.", cssClass: "note") }
        let rows = cells.map { [$0.attack, $0.defense, $0.seed, $0.status.rawValue, $0.error ?? ""] }
        return HTMLDocument.table(header: ["attack", "defense", "seed", "status", "reason"], rows: rows,
                                  cssClass: "failed-cells")
    }

    // MARK: - Helpers

    static func meanOverCompleted(_ r: ComparisonResults, attack: String, defense: String,
                                  _ value: KeyPath<ComparisonResults.Cell, Double?>) -> Double? {
        let xs = r.cells(attack: attack, defense: defense).filter { $0.status.isFinished }.compactMap { $0[keyPath: value] }
        return ComparisonTable.meanStd(xs).mean
    }

    /// A colour range for accuracies: the data's span widened to tenths, within 0...1.
    static func niceUnitRange(_ xs: [Double]) -> ClosedRange<Double> {
        guard let lo = xs.min(), let hi = xs.max() else { return 0...1 }
        var a = max(0, (lo * 10).rounded(.down) / 10), b = min(1, (hi * 10).rounded(.up) / 10)
        if b - a < 0.1 { if b >= 1 { a = max(0, b - 0.1) } else { b = min(1, a + 0.1) } }
        return a...b
    }
}
