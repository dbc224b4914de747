import FedResults
import Foundation

extension HTMLReport {
    // MARK: - One run

    /// The run's threat evaluations: per family, the last evaluation's figures as a table and
    /// the figures that are shares (within [0, 1]) per evaluated round; then the images of
    /// evaluation.json. Empty when the run evaluated nothing.
    static func threats(_ r: RunReportData) -> String {
        let names = r.rounds.figureNames.filter { ThreatFamily.of($0) != nil }
        guard !names.isEmpty else { return "" }
        let evaluated = r.rounds.rows.filter { row in names.contains { row.figures[$0] != nil } }
        guard let last = evaluated.last else { return "" }
        var body = HTMLDocument.heading(2, "Threats")
        let roundsText = evaluated.map { String($0.round) }.joined(separator: ", ")
        var note = "Measured on the global model after round\(evaluated.count == 1 ? "" : "s") \(roundsText) (evaluate.every and the last round); docs/THREATS.md defines every figure."
        if let ms = mean(evaluated.compactMap { $0.figures["evaluation_ms"] }) {
            note += String(format: " The evaluations took %.0f ms per evaluated round on average, with the clients waiting.", ms)
        }
        body += HTMLDocument.paragraph(note, cssClass: "note")
        for (family, figures) in ThreatFamily.group(names) {
            body += HTMLDocument.heading(3, family.title)
            body += HTMLDocument.paragraph(family.about, cssClass: "note")
            body += HTMLDocument.table(header: ["figure", "after round \(last.round)"],
                                       rows: figures.map { [$0, last.figures[$0].map(format) ?? "-"] },
                                       numeric: [1], cssClass: "threats")
            // Shares only: accuracies, rates, AUCs (an MSE or a norm is not one, even when small).
            let shares = figures.filter { name in
                guard !["_mse", "_l2", "_linf", "_distance", "_error"].contains(where: { name.hasSuffix($0) }) else { return false }
                let values = evaluated.compactMap { $0.figures[name] }
                return !values.isEmpty && values.allSatisfy { (0...1).contains($0) }
            }
            if evaluated.count >= 2, !shares.isEmpty {
                let series = shares.prefix(10).enumerated().map { i, name in
                    SVGChart.Series(name: name, points: evaluated.compactMap { row in
                        row.figures[name].map { SVGChart.Point(x: Double(row.round), y: $0) }
                    }, color: i)
                }
                body += SVGChart.line(SVGChart.Labels(title: "\(family.title) per evaluated round", x: "round", y: "share"),
                                      series: Array(series), yRange: 0...1,
                                      attributes: ["class": "chart threat-\(family.prefix.dropLast())"]) + "\n"
            }
        }
        if let images = r.images, !images.panels.isEmpty {
            body += HTMLDocument.heading(3, "Reconstructions (round \(images.round), evaluation.json)")
            for panel in images.panels { body += imagePanel(panel) }
        }
        return body
    }

    /// A titled row of images, each a PNG scaled up without smoothing, with its caption.
    static func imagePanel(_ p: EvaluationImages.Panel) -> String {
        let (c, h, w) = (p.shape[0], p.shape[1], p.shape[2])
        let scale = max(1, 72 / max(h, w))
        var s = "<div class=\"panel\"><p class=\"panel-title\">\(XMLText.escape(p.title))</p><div class=\"images\">"
        for (image, caption) in zip(p.images, p.captions) {
            // Channel-major [C, H, W] in [0, 1] to interleaved 8-bit samples.
            var pixels = [UInt8](repeating: 0, count: h * w * (c == 3 ? 3 : 1))
            for y in 0..<h {
                for x in 0..<w {
                    for k in 0..<(c == 3 ? 3 : 1) {
                        let v = image[k * h * w + y * w + x]
                        pixels[(y * w + x) * (c == 3 ? 3 : 1) + k] = UInt8((min(max(v.isFinite ? v : 0, 0), 1) * 255).rounded())
                    }
                }
            }
            let uri = PNGImage.dataURI(width: w, height: h, channels: c == 3 ? 3 : 1, pixels: pixels)
            s += "<figure><img src=\"\(uri)\" width=\"\(w * scale)\" height=\"\(h * scale)\" alt=\"\(XMLText.escape(caption))\"/>"
            s += "<figcaption>\(XMLText.escape(caption))</figcaption></figure>"
        }
        return s + "</div></div>\n"
    }

    // MARK: - A comparison

    /// Per threat family, a table of every attack and defense with the family's figures (mean
    /// ± standard deviation over the finished seeds). Empty when no cell evaluated anything.
    static func threats(_ r: ComparisonResults, _ table: ComparisonTable) -> String {
        var names: [String] = []
        for cell in r.cells { for n in cell.evaluations.keys.sorted() where !names.contains(n) && ThreatFamily.of(n) != nil { names.append(n) } }
        // Keep compare.csv's column order where it has one.
        names.sort { (r.csv.index(of: $0) ?? Int.max, $0) < (r.csv.index(of: $1) ?? Int.max, $1) }
        guard !names.isEmpty else {
            return HTMLDocument.paragraph("No cell evaluated adversarial examples, privacy or extraction (the scenario has no evaluate: section).", cssClass: "note")
        }
        var body = HTMLDocument.paragraph("The last evaluation of each cell (the last round), mean ± standard deviation over the seeds that finished; docs/THREATS.md defines every figure.", cssClass: "note")
        for (family, figures) in ThreatFamily.group(names) {
            body += HTMLDocument.heading(3, family.title)
            body += HTMLDocument.paragraph(family.about, cssClass: "note")
            var rows: [[String]] = []
            for attack in table.attacks {
                for defense in table.defenses {
                    let cells = r.cells(attack: attack, defense: defense).filter { $0.status.isFinished }
                    guard !cells.isEmpty else { continue }
                    rows.append([attack, defense] + figures.map { name in
                        let (m, sd) = ComparisonTable.meanStd(cells.compactMap { $0.evaluations[name] })
                        guard let m else { return "-" }
                        return format(m) + (sd.map { " ± " + format($0) } ?? "")
                    })
                }
            }
            body += HTMLDocument.table(header: ["attack", "defense"] + figures, rows: rows,
                                       numeric: Set(2..<(2 + figures.count)), cssClass: "threats")
        }
        return body
    }

    /// Four significant digits (two for the tiny and the huge, in exponent form); 0 as "0".
    static func format(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        if v == 0 { return "0" }
        return abs(v) >= 1e-3 && abs(v) < 1e5 ? String(format: "%.4g", v) : String(format: "%.2g", v)
    }

    private static func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
}
