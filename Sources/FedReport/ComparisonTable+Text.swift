import Foundation

// MARK: - Terminal and Markdown

extension ComparisonTable {
    /// Both tables as plain aligned text. With `bold`, the best cell of each attack is also
    /// wrapped in ANSI bold (only for a terminal; a CI log should get `bold: false`).
    public func terminal(bold: Bool = false) -> String {
        let seeds = seedCount == 1 ? "1 seed" : "mean ± std over \(seedCount) seeds"
        var out = "Final test accuracy (\(seeds); * best defense per attack)\n"
        let header = ["attack"] + defenses
        // The marker takes its own character so that the numbers of a column line up.
        let body = attacks.indices.map { a in
            [attacks[a]] + defenses.indices.map { d in cells[a][d].text + (best[a].contains(d) ? "*" : " ") }
        }
        out += aligned([header] + body, rightAligned: Set(1..<header.count)) { row, column, padded in
            guard bold, row > 0, column > 0, best[row - 1].contains(column - 1) else { return padded }
            return "\u{1B}[1m" + padded + "\u{1B}[0m"
        }
        out += "\nWorst case first (each defense's lowest accuracy over the attacks; best first)\n"
        out += aligned([["rank", "defense", "worst attack", "accuracy"]] + rankingRows(), rightAligned: [0, 3]) { $2 }
        return out
    }

    /// Both tables in GitHub-flavoured Markdown (best cells in bold and with `*`).
    public func markdown() -> String {
        let seeds = seedCount == 1 ? "1 seed" : "mean ± std over \(seedCount) seeds"
        var out = "Final test accuracy (\(seeds); **\\*** best defense per attack)\n\n"
        out += mdRow(["attack"] + defenses)
        out += mdRow(["---"] + defenses.map { _ in "---:" })
        for a in attacks.indices {
            out += mdRow([md(attacks[a])] + defenses.indices.map { d in
                best[a].contains(d) ? "**\(md(marked(a, d)))**" : md(marked(a, d))
            })
        }
        out += "\nWorst case first (each defense's lowest accuracy over the attacks; best first)\n\n"
        out += mdRow(["rank", "defense", "worst attack", "accuracy"])
        out += mdRow(["---:", "---", "---", "---:"])
        for row in rankingRows() { out += mdRow(row.map(md)) }
        return out
    }

    /// The ranking as text rows: rank, defense, worst attack, accuracy kept there.
    public func rankingRows() -> [[String]] {
        ranking.enumerated().map { i, w in
            var attack = w.attack ?? "-"
            var accuracy = w.accuracy.map(fmt3) ?? "-"
            if !w.unfinishedAttacks.isEmpty {
                attack = w.unfinishedAttacks.joined(separator: ", ")
                accuracy = "failed" + (w.accuracy.map { " (else \(fmt3($0)))" } ?? "")
            }
            return [String(i + 1), w.defense, attack, accuracy]
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
