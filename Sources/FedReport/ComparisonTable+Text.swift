import Foundation

// MARK: - Terminal and Markdown

extension ComparisonTable {
    /// The lines that explain the tables (the same for the terminal and Markdown).
    var legend: [String] {
        let seeds = seedCount == 1 ? "1 seed" : "mean ± std over \(seedCount) seeds"
        var lines = ["Final test accuracy (\(seeds))"]
        if hasASR { lines.append("  asr: attack success rate (lower is better)") }
        if detects.contains(true) {
            lines.append("  tpr/fpr: shares of malicious/honest updates the rule kept out (n/a: it never keeps any out)")
        }
        lines.append("* best defense per attack by score = " + (hasASR ? "min(accuracy, 1 - asr), accuracy without an asr" : "accuracy"))
        return lines
    }

    /// The rows of the accuracy table: per attack its accuracy row, then an `asr` row when any
    /// defense has a success rate there and a `tpr/fpr` row when any defense keeps updates out.
    /// Each row is (attack index or nil for a sub-row, fields).
    func bodyRows(marker: (Int, Int) -> String) -> [(attack: Int?, fields: [String])] {
        var rows: [(Int?, [String])] = []
        for a in attacks.indices {
            rows.append((a, [attacks[a]] + defenses.indices.map { d in cells[a][d].text + marker(a, d) }))
            if cells[a].contains(where: { $0.asr != nil }) {
                rows.append((nil, ["  asr"] + defenses.indices.map { d in (cells[a][d].asrText ?? "-") + marker(-1, d) }))
            }
            if detects.contains(true) {
                rows.append((nil, ["  tpr/fpr"] + defenses.indices.map { d in
                    (detects[d] ? cells[a][d].detectionText ?? "-" : "n/a") + marker(-1, d)
                }))
            }
        }
        return rows
    }

    /// Both tables as plain aligned text. With `bold`, the best cell of each attack is also
    /// wrapped in ANSI bold (only for a terminal; a CI log should get `bold: false`).
    public func terminal(bold: Bool = false) -> String {
        var out = legend.joined(separator: "\n") + "\n"
        let header = ["attack"] + defenses
        // The marker takes its own character so that the numbers of a column line up.
        let body = bodyRows { a, d in a >= 0 && best[a].contains(d) ? "*" : " " }
        out += aligned([header] + body.map(\.fields), rightAligned: Set(1..<header.count)) { row, column, padded in
            guard bold, row > 0, column > 0, let a = body[row - 1].attack, best[a].contains(column - 1) else { return padded }
            return "\u{1B}[1m" + padded + "\u{1B}[0m"
        }
        out += "\nWorst case first (each defense's lowest score over the attacks; best first)\n"
        out += aligned(rankingText, rightAligned: [0, 3, 4, 5]) { $2 }
        return out
    }

    /// Both tables in GitHub-flavoured Markdown (best cells in bold and with `*`).
    public func markdown() -> String {
        var out = legend.map { md($0.trimmingCharacters(in: .whitespaces)) }.joined(separator: "  \n") + "\n\n"
        out += mdRow(["attack"] + defenses)
        out += mdRow(["---"] + defenses.map { _ in "---:" })
        for row in bodyRows(marker: { a, d in a >= 0 && self.best[a].contains(d) ? "*" : "" }) {
            let label = md(row.fields[0].trimmingCharacters(in: .whitespaces))
            out += mdRow([row.attack == nil ? "↳ " + label : label] + row.fields.dropFirst().enumerated().map { d, f in
                if let a = row.attack, best[a].contains(d) { return "**\(md(f))**" }
                return md(f)
            })
        }
        out += "\nWorst case first (each defense's lowest score over the attacks; best first)\n\n"
        let ranking = rankingText
        out += mdRow(ranking[0])
        out += mdRow(Array(["---:", "---", "---", "---:", "---:", "---:"].prefix(ranking[0].count)))
        for row in ranking.dropFirst() { out += mdRow(row.map(md)) }
        return out
    }

    /// The ranking with its header, without the asr column when no attack has a success rate.
    var rankingText: [[String]] {
        let rows = [rankingHeader] + rankingRows()
        return hasASR ? rows : rows.map { Array($0.dropLast()) }
    }

    /// The ranking's column names.
    public var rankingHeader: [String] { ["rank", "defense", "worst attack", "score", "accuracy", "asr"] }

    /// The ranking as text rows: rank, defense, worst attack, the score there, and the
    /// accuracy and attack success rate behind it ("-" without one).
    public func rankingRows() -> [[String]] {
        ranking.enumerated().map { i, w in
            var attack = w.attack ?? "-"
            var score = w.score.map(fmt3) ?? "-"
            if !w.unfinishedAttacks.isEmpty {
                attack = w.unfinishedAttacks.joined(separator: ", ")
                score = (w.stopped ? "not completed" : "failed") + (w.score.map { " (else \(fmt3($0)))" } ?? "")
            }
            return [String(i + 1), w.defense, attack, score, w.accuracy.map(fmt3) ?? "-", w.asr.map(fmt3) ?? "-"]
        }
    }

    /// The text of a cell with the best marker.
    func marked(_ a: Int, _ d: Int) -> String {
        cells[a][d].text + (best[a].contains(d) ? "*" : "")
    }
}

// MARK: - Layout helpers

/// Rows padded to equal column widths (two spaces apart); `style` may wrap a padded field
/// (ANSI codes do not count towards the width).
func aligned(_ rows: [[String]], rightAligned: Set<Int>,
             style: (_ row: Int, _ column: Int, _ padded: String) -> String) -> String {
    let columns = rows.map(\.count).max() ?? 0
    var widths = Array(repeating: 0, count: columns)
    for row in rows { for (c, f) in row.enumerated() { widths[c] = max(widths[c], f.count) } }
    var out = ""
    for (r, row) in rows.enumerated() {
        let fields = row.enumerated().map { c, f -> String in
            let pad = String(repeating: " ", count: widths[c] - f.count)
            let isLast = c == row.count - 1
            let padded = rightAligned.contains(c) ? pad + f : (isLast ? f : f + pad)
            return style(r, c, padded)
        }
        out += fields.joined(separator: "  ") + "\n"
    }
    return out
}

private func mdRow(_ fields: [String]) -> String { "| " + fields.joined(separator: " | ") + " |\n" }

/// Escapes the characters Markdown tables treat specially.
private func md(_ s: String) -> String {
    s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "*", with: "\\*")
}
