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
        var links = [("ranking", "Worst case first"), ("verdict", "Verdict per cell"), ("rounds", "Accuracy per round"),
                     ("attack-success", "Attack success"), ("detection", "Detection")]
        if !r.axes.isEmpty { links.append(("sweep", "Sweep")) }
        links += [("threats", "Threats"), ("failed", "Unfinished cells"), ("cells", "All cells"), ("scenario", "Scenario and spec")]
        body += contents(links)

        body += HTMLDocument.heading(2, "Worst case first", id: "ranking")
        body += HTMLDocument.paragraph(scoreNote + """
             Each defense's worst case is its lowest score (mean over seeds) over all attacks, \
            "none" included. Defenses are ranked by it, best first; a defense that failed under some \
            attack ranks last, as its worst case there is unknown.
            """, cssClass: "note")
        body += rankingTable(table)

        body += HTMLDocument.heading(2, "Verdict per cell", id: "verdict")
        body += verdictHeatMap(table)

        body += HTMLDocument.heading(2, "Accuracy per round", id: "rounds")
        body += HTMLDocument.paragraph("Test accuracy of the global model after each round: the line is the mean over the seeds that completed, the shaded band spans their minimum to maximum; one line per defense.",
                                       cssClass: "note")
        body += "<div class=\"charts\">\n"
        for attack in table.attacks {
            body += perRoundChart(r, attack: attack, defenses: table.defenses, value: \.testAccuracy, y: "test accuracy",
                                  cssClass: "accuracy-per-round") + "\n"
        }
        body += "</div>\n"

        body += HTMLDocument.heading(2, "Attack success", id: "attack-success")
        body += attackSuccess(r, table)

        body += HTMLDocument.heading(2, "Detection", id: "detection")
        body += detection(r, table)

        if !r.axes.isEmpty {
            body += HTMLDocument.heading(2, "Sweep: \(r.axes.joined(separator: " × "))", id: "sweep")
            body += sweep(r, table)
        }

        body += HTMLDocument.heading(2, "Threats", id: "threats")
        body += threats(r, table)

        body += HTMLDocument.heading(2, "Unfinished cells", id: "failed")
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

    /// How a cell's score is computed, for the captions.
    static let scoreNote = "A cell's score is min(accuracy, 1 - attack success rate) per seed for attacks with a success rate (a defense that keeps its accuracy but lets a backdoor through scores low), the final accuracy otherwise, then the mean over the seeds that completed."

    // MARK: - Sections

    static func intro(_ r: ComparisonResults) -> String {
        let count = { (s: ComparisonResults.Status) in r.cells.filter { $0.status == s }.count }
        let attacks = r.attackNames.map { $0 == "none" ? "none (no attack)" : $0 }
        let sweep = r.axes.map { key in "\(key) in {\(axisValues(r, key).joined(separator: ", "))}" }
        return "\(r.defenses.count) defenses (\(r.defenses.joined(separator: ", "))) under \(r.attackNames.count) attacks "
            + "(\(attacks.joined(separator: ", ")))" + (sweep.isEmpty ? "" : ", swept over \(sweep.joined(separator: " × "))")
            + ", \(r.seeds.count) seed\(r.seeds.count == 1 ? "" : "s") "
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
            row + [t.ranking[i].meanScore.map(fmt3) ?? "-"]
        }
        return HTMLDocument.table(header: ["rank", "defense", "worst attack", "score there", "accuracy there", "asr there",
                                           "mean score over attacks"],
                                  rows: rows, numeric: [0, 3, 4, 5, 6], cssClass: "ranking") { $0 == 0 ? "best" : nil }
    }

    /// Attacks x defenses coloured by the score, each cell showing the final accuracy (mean ±
    /// std, `*` on the best score per attack) and, below it, the attack success rate.
    static func verdictHeatMap(_ t: ComparisonTable) -> String {
        let values = t.cells.map { $0.map(\.score) }
        let labels = t.attacks.indices.map { a in
            t.defenses.indices.map { d in
                t.marked(a, d) + (t.cells[a][d].asrText.map { "\nasr " + $0 } ?? "")
            }
        }
        let scale = ColorScale.robust(values.flatMap { $0 }.compactMap { $0 })
        return HTMLDocument.paragraph(scoreNote + " Colour: the score, on a scale that spans the cells between the quartile fences (Q1 - 1.5 IQR, Q3 + 1.5 IQR), at least 0.05 wide; a cell outside it is outlined and marked ▼ or ▲. Text: the final accuracy (mean ± std over seeds) and, for attacks with a success rate, the ASR; * best score per attack.",
                                       cssClass: "note")
            + "<div class=\"wide\">" + SVGChart.heatMap(SVGChart.Labels(title: "Score per cell (colour), accuracy and attack success (text)",
                                                x: "defense", y: "attack"),
                                rows: t.attacks, columns: t.defenses, values: values, cellLabels: labels, range: scale.range,
                                attributes: ["class": "chart heatmap verdict-heatmap"]) + "</div>\n"
    }

    /// One chart of a per-round figure for one row of the table: per defense the mean over the
    /// completed seeds and a min-max band.
    static func perRoundChart(_ r: ComparisonResults, attack: String, defenses: [String],
                              value: KeyPath<RoundsFile.Row, Double?>, y: String, cssClass: String) -> String {
        var series: [SVGChart.Series] = []
        for (d, defense) in defenses.enumerated() {
            let files = r.completedRounds(attack: attack, defense: defense)
            guard !files.isEmpty, files.contains(where: { $0.has { $0[keyPath: value] } }) else { continue }
            let points = RoundsFile.meanPerRound(files) { $0[keyPath: value] }.map { SVGChart.Point(x: $0.x, y: $0.y) }
            series.append(SVGChart.Series(name: defense, points: points, color: d,
                                          band: RoundsFile.rangePerRound(files) { $0[keyPath: value] }))
        }
        let title = attack == "none" ? "No attack" : "Attack: \(attack)"
        return SVGChart.line(SVGChart.Labels(title: title, x: "round", y: y), series: series, yRange: 0...1,
                             attributes: ["class": "chart \(cssClass)", "data-attack": attack])
    }

    static func attackSuccess(_ r: ComparisonResults, _ t: ComparisonTable) -> String {
        let attacks = t.attacks.filter { a in r.cells.contains { $0.rowLabel == a && $0.attackSuccessRate != nil } }
        guard !attacks.isEmpty else {
            return HTMLDocument.paragraph("No attack in this comparison has a success metric (backdoor and targeted label flipping do).",
                                          cssClass: "note")
        }
        let series = t.defenses.enumerated().map { d, defense in
            SVGChart.Series(name: defense, points: attacks.enumerated().map { g, attack in
                SVGChart.Point(x: Double(g), y: meanOverCompleted(r, attack: attack, defense: defense, \.attackSuccessRate))
            }, color: d)
        }
        var body = HTMLDocument.paragraph("Final attack success rate on the global model (mean over completed seeds); lower is better.",
                                          cssClass: "note")
            + "<div class=\"wide\">" + SVGChart.groupedBars(SVGChart.Labels(title: "Attack success rate (lower is better)", x: "attack",
                                                   y: "attack success rate"),
                                   groups: attacks, series: series, attributes: ["class": "chart attack-success"]) + "</div>\n"
        let withRounds = attacks.filter { a in
            t.defenses.contains { d in r.completedRounds(attack: a, defense: d).contains { $0.has(\.attackSuccessRate) } }
        }
        guard !withRounds.isEmpty else { return body }
        body += HTMLDocument.paragraph("Attack success rate after each round: mean over the completed seeds, band from their minimum to maximum.",
                                       cssClass: "note")
        body += "<div class=\"charts\">\n"
        for attack in withRounds {
            body += perRoundChart(r, attack: attack, defenses: t.defenses, value: \.attackSuccessRate, y: "attack success rate",
                                  cssClass: "asr-per-round") + "\n"
        }
        return body + "</div>\n"
    }

    /// The detection map (share of malicious updates kept out) beside the false-positive map
    /// (share of honest updates kept out). A rule that kept no update out anywhere in the
    /// comparison makes no per-client decision worth a rate: its cells are "n/a", in grey.
    static func detection(_ r: ComparisonResults, _ t: ComparisonTable) -> String {
        guard t.detects.contains(true) else {
            return HTMLDocument.paragraph("No rule in this comparison kept any update out of the aggregate.", cssClass: "note")
        }
        func map(_ value: KeyPath<ComparisonTable.Cell, Double?>, title: String, cssClass: String) -> String {
            let rows = t.attacks.indices.filter { a in t.defenses.indices.contains { t.detects[$0] && t.cells[a][$0][keyPath: value] != nil } }
            let values = rows.map { a in t.defenses.indices.map { d in t.detects[d] ? t.cells[a][d][keyPath: value] : nil } }
            let labels = rows.map { a in t.defenses.indices.map { d in
                t.detects[d] ? t.cells[a][d][keyPath: value].map(fmt3) ?? "-" : "n/a"
            } }
            return SVGChart.heatMap(SVGChart.Labels(title: title, x: "defense", y: "attack"),
                                    rows: rows.map { t.attacks[$0] }, columns: t.defenses, values: values,
                                    cellLabels: labels, range: 0...1, attributes: ["class": "chart heatmap \(cssClass)"])
        }
        return HTMLDocument.paragraph("Left: the detection rate, the share of malicious updates the rule kept out of the aggregate (higher is better). Right: the false-positive rate, the share of honest updates it kept out (lower is better; the none row is the rule's cost without an attack). Means over rounds, then over seeds; scale 0 to 1. n/a: the rule kept no update out in any cell of this comparison (it makes no per-client decision); -: no malicious update arrived.",
                                      cssClass: "note")
            + "<div class=\"pair\">" + map(\.tpr, title: "Detection rate (malicious kept out)", cssClass: "detection-heatmap")
            + map(\.fpr, title: "False-positive rate (honest kept out)", cssClass: "fpr-heatmap") + "</div>\n"
    }

    static func failedCells(_ r: ComparisonResults) -> String {
        let cells = r.unfinished
        guard !cells.isEmpty else { return HTMLDocument.paragraph("Every cell completed.", cssClass: "note") }
        let pending = cells.filter { $0.status == .pending || $0.status == .interrupted }.count
        let rows = cells.map { [$0.rowLabel, $0.defense, $0.seed, $0.status.rawValue, $0.error ?? ($0.status == .pending ? "not run yet: rerun the same fedsim compare command to resume" : "")] }
        return (pending > 0 ? HTMLDocument.paragraph("\(pending) cell\(pending == 1 ? " was" : "s were") interrupted or not run yet; the tables and charts above use the cells that finished. Rerun the same fedsim compare command to run the rest.", cssClass: "note") : "")
            + HTMLDocument.table(header: ["attack", "defense", "seed", "status", "reason"], rows: rows,
                                  cssClass: "failed-cells")
    }

    // MARK: - Helpers

    static func meanOverCompleted(_ r: ComparisonResults, attack: String, defense: String,
                                  _ value: KeyPath<ComparisonResults.Cell, Double?>) -> Double? {
        let xs = r.cells(attack: attack, defense: defense).filter { $0.status.isFinished }.compactMap { $0[keyPath: value] }
        return ComparisonTable.meanStd(xs).mean
    }
}
