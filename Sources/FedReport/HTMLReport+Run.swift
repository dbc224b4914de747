import Foundation

extension HTMLReport {
    /// The report of one run: key figures, accuracy and loss per round, attack success rate,
    /// detection and epsilon per round when the run has them, honest against malicious
    /// selection, summary.json as a table, and the resolved scenario.
    public static func run(_ r: RunReportData) -> String {
        let rounds = r.rounds
        var body = HTMLDocument.heading(1, "fedsim run: \(r.name)")
        body += HTMLDocument.paragraph(runIntro(r), cssClass: "lead")
        body += HTMLDocument.facts(keyFacts(r))

        body += HTMLDocument.heading(2, "Learning")
        body += "<div class=\"charts\">\n"
        let acc = SVGChart.Series(name: "test accuracy", points: points(rounds) { $0.testAccuracy }, color: 0)
        body += SVGChart.line(SVGChart.Labels(title: "Test accuracy per round", x: "round", y: "test accuracy"),
                              series: [acc], yRange: 0...1, attributes: ["class": "chart run-accuracy"]) + "\n"
        var loss = [SVGChart.Series(name: "test loss", points: points(rounds) { $0.testLoss }, color: 0)]
        if rounds.has({ $0.trainLoss }) {
            loss.append(SVGChart.Series(name: "train loss", points: points(rounds) { $0.trainLoss }, color: 1))
        }
        body += SVGChart.line(SVGChart.Labels(title: "Loss per round", x: "round", y: "loss"), series: loss,
                              attributes: ["class": "chart run-loss"]) + "\n"
        body += "</div>\n"

        if rounds.has({ $0.attackSuccessRate }) {
            body += HTMLDocument.heading(2, "Attack success")
            let metric = (r.runSummary?.attackMetric ?? r.summaryValue("attack_metric")).map { "\($0); " } ?? ""
            let asr = SVGChart.Series(name: "success rate", points: points(rounds) { $0.attackSuccessRate }, color: 2)
            body += SVGChart.line(SVGChart.Labels(title: "Attack success rate per round (\(metric)lower is better)", x: "round",
                                                  y: "attack success rate"),
                                  series: [asr], yRange: 0...1, attributes: ["class": "chart run-attack-success"]) + "\n"
        }

        if rounds.has({ $0.maliciousSelected.map(Double.init) }) || rounds.rows.contains(where: { ($0.maliciousSampled ?? 0) > 0 }) {
            body += HTMLDocument.heading(2, "Detection")
            body += HTMLDocument.paragraph("Malicious updates per round (ground truth): sampled, received by the coordinator, and let into the aggregate by the rule. A rule that detects them keeps \"selected\" below \"received\".",
                                           cssClass: "note")
            var series = [SVGChart.Series(name: "malicious sampled", points: points(rounds) { $0.maliciousSampled.map(Double.init) }, color: 9),
                          SVGChart.Series(name: "malicious received", points: points(rounds) { $0.maliciousReceived.map(Double.init) }, color: 1)]
            if rounds.has({ $0.maliciousSelected.map(Double.init) }) {
                series.append(SVGChart.Series(name: "malicious selected", points: points(rounds) { $0.maliciousSelected.map(Double.init) }, color: 2))
            }
            body += SVGChart.line(SVGChart.Labels(title: "Malicious updates per round", x: "round", y: "updates"),
                                  series: series, attributes: ["class": "chart run-detection"]) + "\n"
            if let s = r.selection { body += selectionTable(s) }
        }

        if rounds.has({ $0.epsilon }) {
            body += HTMLDocument.heading(2, "Privacy")
            let eps = SVGChart.Series(name: "epsilon", points: points(rounds) { $0.epsilon }, color: 6)
            body += SVGChart.line(SVGChart.Labels(title: "Privacy spent (epsilon) per round", x: "round", y: "epsilon"),
                                  series: [eps], attributes: ["class": "chart run-epsilon"]) + "\n"
        }

        body += threats(r)

        body += HTMLDocument.heading(2, "Summary (summary.json)")
        if let summary = r.summary {
            body += HTMLDocument.table(header: ["key", "value"], rows: summary.map { [$0.key, $0.value] }, cssClass: "summary")
        } else {
            body += HTMLDocument.paragraph("summary.json is missing or unreadable (a run that was killed writes none).", cssClass: "note")
        }
        body += HTMLDocument.heading(2, "Scenario (scenario.yaml)")
        body += HTMLDocument.pre(r.scenario, missing: "scenario.yaml is missing.")
        return HTMLDocument.page(title: "fedsim run: \(r.name)", body: body)
    }

    // MARK: - Pieces

    static func points(_ rounds: RoundsFile, _ value: (RoundsFile.Row) -> Double?) -> [SVGChart.Point] {
        rounds.series(value).map { SVGChart.Point(x: $0.x, y: $0.y) }
    }

    static func runIntro(_ r: RunReportData) -> String {
        let n = r.rounds.rows.count
        var s = "\(n) round\(n == 1 ? "" : "s") in rounds.csv"
        if let status = r.summaryValue("status") { s += ", status \(status)" }
        if let error = r.runSummary?.error ?? r.summaryValue("error") { s += " (\(error))" }
        if let agg = r.summaryValue("aggregator") { s += "; aggregation: \(agg)" }
        if let attacks = r.runSummary?.attacks, !attacks.isEmpty {
            s += "; attacks: " + attacks.map { "\($0.kind) (\($0.clients.count) clients, \($0.knowledge))" }.joined(separator: ", ")
        } else if r.runSummary != nil {
            s += "; no attack"
        }
        return s + "."
    }

    static func keyFacts(_ r: RunReportData) -> [(String, String)] {
        var facts: [(String, String)] = []
        let last = r.rounds.rows.last
        if let a = last?.testAccuracy { facts.append(("final test accuracy", String(format: "%.4f", a))) }
        if let best = r.rounds.rows.compactMap(\.testAccuracy).max() { facts.append(("best test accuracy", String(format: "%.4f", best))) }
        if let asr = r.rounds.rows.last(where: { $0.attackSuccessRate != nil })?.attackSuccessRate {
            facts.append(("final attack success rate", String(format: "%.4f", asr)))
        }
        if let eps = r.rounds.rows.last(where: { $0.epsilon != nil })?.epsilon {
            facts.append(("epsilon spent", String(format: "%.3g", eps)))
        }
        if let wall = r.runSummary?.wallSeconds { facts.append(("wall time", String(format: "%.1f s", wall))) }
        return facts
    }

    static func selectionTable(_ s: RunReportData.Selection) -> String {
        func rate(_ a: Int, _ b: Int) -> String { b > 0 ? String(format: "%.3f", Double(a) / Double(b)) : "-" }
        let rows = [["honest", String(s.honestReceived), String(s.honestSelected), rate(s.honestSelected, s.honestReceived)],
                    ["malicious", String(s.maliciousReceived), String(s.maliciousSelected),
                     rate(s.maliciousSelected, s.maliciousReceived)]]
        let note = s.hasDecisions ? "" : " (the rule made no per-client decisions: every received update counts as selected)"
        return HTMLDocument.paragraph("Updates over the whole run, from clients.csv\(note).", cssClass: "note")
            + HTMLDocument.table(header: ["clients", "updates received", "selected by the rule", "selection rate"],
                                 rows: rows, numeric: [1, 2, 3], cssClass: "selection")
    }
}
