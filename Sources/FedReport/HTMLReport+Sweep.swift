import FedResults
import Foundation

// MARK: - Sweeps (axes: in the comparison file)

extension HTMLReport {
    /// Per swept key, accuracy (and attack success, where the attack has one) against the
    /// key's value, one line per defense (ByzFL's accuracy-vs-f plots); per pair of swept keys,
    /// a heat map of the score per attack and defense.
    static func sweep(_ r: ComparisonResults, _ t: ComparisonTable) -> String {
        var body = ""
        for key in r.axes {
            let values = axisValues(r, key)
            guard values.count > 1 else { continue }
            let numeric = values.allSatisfy { CSVTable.double($0) != nil }
            body += HTMLDocument.heading(3, "Against \(key)")
            body += HTMLDocument.paragraph("Final test accuracy against \(key): per defense the mean over the completed seeds, the band ± one standard deviation (ddof 1)."
                                           + (logarithmic(values) ? " The values span more than a factor of 20: the axis is logarithmic." : "")
                                           + (numeric ? "" : " The values are not numbers: they are placed in the order they appear, at 1, 2, ...")
                                           + " Attacks with a success rate have a second chart of it (lower is better).",
                                           cssClass: "note")
            body += "<div class=\"charts\">\n"
            for (attack, rest) in groups(r, excluding: [key]) {
                body += axisChart(r, t, key: key, values: values, numeric: numeric, attack: attack, rest: rest,
                                  value: \.finalAccuracy, y: "final test accuracy", cssClass: "sweep-accuracy") + "\n"
                let cells = r.cells.filter { $0.attack == attack && matches($0, rest) }
                if cells.contains(where: { $0.attackSuccessRate != nil }) {
                    body += axisChart(r, t, key: key, values: values, numeric: numeric, attack: attack, rest: rest,
                                      value: \.attackSuccessRate, y: "attack success rate", cssClass: "sweep-asr") + "\n"
                }
            }
            body += "</div>\n"
        }
        let axes = r.axes
        for i in axes.indices {
            for j in axes.indices where j > i {
                let (k1, k2) = (axes[i], axes[j])
                let v1 = axisValues(r, k1), v2 = axisValues(r, k2)
                body += HTMLDocument.heading(3, "\(k1) × \(k2)")
                body += HTMLDocument.paragraph("The score (min(accuracy, 1 - ASR), or accuracy) per value of \(k1) (rows) and \(k2) (columns), mean over the completed seeds; one map per attack and defense, all on a scale from 0 to 1.",
                                               cssClass: "note")
                body += "<div class=\"pair\">\n"
                for (attack, rest) in groups(r, excluding: [k1, k2]) {
                    for defense in t.defenses {
                        let values = v1.map { a in v2.map { b -> Double? in
                            let seeds = r.cells.filter {
                                $0.attack == attack && $0.defense == defense && matches($0, rest)
                                    && value($0, k1) == a && value($0, k2) == b && $0.status.isFinished
                            }
                            return ComparisonTable.meanStd(seeds.compactMap {
                                ComparisonTable.score(accuracy: $0.finalAccuracy, asr: $0.attackSuccessRate)
                            }).mean
                        } }
                        guard values.contains(where: { $0.contains { $0 != nil } }) else { continue }
                        let labels = values.map { $0.map { $0.map(fmt3) ?? "-" } }
                        body += SVGChart.heatMap(SVGChart.Labels(title: "\(title(attack, rest)), \(defense)", x: k2, y: k1),
                                                 rows: v1, columns: v2, values: values, cellLabels: labels, range: 0...1,
                                                 attributes: ["class": "chart heatmap sweep-heatmap", "data-defense": defense,
                                                              "data-attack": attack]) + "\n"
                    }
                }
                body += "</div>\n"
            }
        }
        return body.isEmpty ? HTMLDocument.paragraph("Every swept key has a single value here.", cssClass: "note") : body
    }

    /// One chart: x the values of `key`, one line per defense (mean over completed seeds) with
    /// a ± std band, for one attack and one value of every other axis.
    static func axisChart(_ r: ComparisonResults, _ t: ComparisonTable, key: String, values: [String], numeric: Bool,
                          attack: String, rest: [CompareRow.AxisValue], value: KeyPath<CompareRow, Double?>,
                          y: String, cssClass: String) -> String {
        var series: [SVGChart.Series] = []
        for (d, defense) in t.defenses.enumerated() {
            var points: [SVGChart.Point] = [], band: [(x: Double, lo: Double, hi: Double)] = []
            for (i, v) in values.enumerated() {
                let x = numeric ? CSVTable.double(v) ?? Double(i + 1) : Double(i + 1)
                let seeds = r.cells.filter {
                    $0.attack == attack && $0.defense == defense && matches($0, rest) && self.value($0, key) == v
                        && $0.status.isFinished
                }
                let (m, sd) = ComparisonTable.meanStd(seeds.compactMap { $0[keyPath: value] })
                points.append(SVGChart.Point(x: x, y: m))
                if let m, let sd { band.append((x, max(0, m - sd), min(1, m + sd))) }
            }
            guard points.contains(where: { $0.y != nil }) else { continue }
            series.append(SVGChart.Series(name: defense, points: points, color: d, band: band))
        }
        let name = title(attack, rest) + (value == \CompareRow.attackSuccessRate ? ": attack success" : ": accuracy")
        return SVGChart.line(SVGChart.Labels(title: name, x: key, y: y), series: series, yRange: 0...1,
                             attributes: ["class": "chart \(cssClass)", "data-attack": attack, "data-axis": key],
                             integerX: false, logX: logarithmic(values))
    }

    /// Whether a swept key's values are drawn on a log scale: numbers, all positive, spanning
    /// at least a factor of 20 (a Dirichlet alpha of 0.1, 1 and 10).
    static func logarithmic(_ values: [String]) -> Bool {
        let xs = values.compactMap { CSVTable.double($0) }
        guard xs.count == values.count, let lo = xs.min(), let hi = xs.max(), lo > 0 else { return false }
        return hi / lo >= 20
    }

    /// The values of one axis: numerically sorted when every one is a number, else in the
    /// order they first appear.
    static func axisValues(_ r: ComparisonResults, _ key: String) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for c in r.cells { if let v = value(c, key), seen.insert(v).inserted { out.append(v) } }
        if out.allSatisfy({ CSVTable.double($0) != nil }) {
            out.sort { (CSVTable.double($0) ?? 0) < (CSVTable.double($1) ?? 0) }
        }
        return out
    }

    /// Every attack with every combination of the values of the axes not in `excluding` that
    /// its cells have, in compare.csv's order; only attacks that have a value of each excluded
    /// axis (attack `none` has none of `attack.*`).
    static func groups(_ r: ComparisonResults, excluding keys: [String]) -> [(String, [CompareRow.AxisValue])] {
        var out: [(String, [CompareRow.AxisValue])] = []
        for c in r.cells where keys.allSatisfy({ value(c, $0) != nil }) {
            let rest = c.axes.filter { !keys.contains($0.key) }
            if !out.contains(where: { $0.0 == c.attack && $0.1 == rest }) { out.append((c.attack, rest)) }
        }
        return out
    }

    static func value(_ c: CompareRow, _ key: String) -> String? { c.axes.first { $0.key == key }?.value }

    static func matches(_ c: CompareRow, _ rest: [CompareRow.AxisValue]) -> Bool {
        rest.allSatisfy { a in value(c, a.key) == a.value }
    }

    static func title(_ attack: String, _ rest: [CompareRow.AxisValue]) -> String {
        let head = attack == "none" ? "No attack" : "Attack: \(attack)"
        return rest.isEmpty ? head : head + " (" + rest.map { "\(CompareRow.shortName($0.key))=\($0.value)" }.joined(separator: ", ") + ")"
    }
}
