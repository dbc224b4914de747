import Foundation

extension SVGChart {
    /// Viridis at five stops: perceptually even, readable in grey and for colour-blind readers.
    static let viridis: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140),
                                                      (94, 201, 98), (253, 231, 37)]

    /// A heat map: one row per `rows` entry, one column per `columns` entry, each cell coloured
    /// by its value on `range` (viridis: dark purple low, yellow high) with its label printed
    /// in black or white, whichever contrasts more. Cells without a value are grey and show
    /// their label (e.g. "failed"). A colour bar on the right gives the scale.
    /// `values[r][c]` and `labels[r][c]` belong to row r and column c. A label may hold
    /// several lines (separated by newlines). A value outside `range` (an outlier of a robust
    /// `ColorScale`) takes the colour of the end it passed, a dashed outline and a ▼ or ▲ mark.
    public static func heatMap(_ labels: Labels, rows: [String], columns: [String], values: [[Double?]],
                               cellLabels: [[String]], range: ClosedRange<Double>,
                               attributes: [String: String] = [:]) -> String {
        let textWidth = { (s: String) in Double(s.count) * 6.8 }
        let allLabels: [String] = Array(cellLabels.joined())
        let lines: [String] = allLabels.flatMap { l in l.split(separator: "\n").map(String.init) }
        let longestCell = lines.map(textWidth).max() ?? 0
        let cellW = max(72, longestCell + 24, columns.map(textWidth).max().map { $0 + 12 } ?? 0)
        let lineCount = allLabels.map { $0.split(separator: "\n").count }.max() ?? 1
        let cellH = 30.0 + 14 * Double(max(0, lineCount - 1))
        let left = max(80, (rows.map(textWidth).max() ?? 0) + 24, textWidth(labels.y) + 20)
        let top = 62.0
        let gridW = cellW * Double(columns.count), gridH = cellH * Double(rows.count)
        let width = max(left + gridW + 150, Double(labels.title.count) * 9 + 40)
        let height = top + max(gridH, 140) + 40
        var svg = open(width: width, height: height, attributes: attributes, label: labels.title)
        svg += title(labels.title, x: 0, width: width)
        svg += "<text x=\"\(f(left + gridW / 2))\" y=\"\(f(top - 26))\" text-anchor=\"middle\" fill=\"\(axisColor)\" font-style=\"italic\">\(XMLText.escape(labels.x))</text>"
        svg += "<text x=\"\(f(left - 10))\" y=\"\(f(top - 8))\" text-anchor=\"end\" fill=\"\(axisColor)\" font-style=\"italic\">\(XMLText.escape(labels.y))</text>"
        for (c, name) in columns.enumerated() {
            svg += "<text x=\"\(f(left + (Double(c) + 0.5) * cellW))\" y=\"\(f(top - 8))\" text-anchor=\"middle\" fill=\"#222\">\(XMLText.escape(name))</text>"
        }
        let span = range.upperBound - range.lowerBound
        let scale = ColorScale(range: range)
        var outliers: Set<Int> = []
        for (r, name) in rows.enumerated() {
            let y = top + Double(r) * cellH
            svg += "<text x=\"\(f(left - 10))\" y=\"\(f(y + cellH / 2))\" dy=\"4\" text-anchor=\"end\" fill=\"#222\">\(XMLText.escape(name))</text>"
            for c in columns.indices {
                let x = left + Double(c) * cellW
                let value = r < values.count && c < values[r].count ? values[r][c] : nil
                let text = r < cellLabels.count && c < cellLabels[r].count ? cellLabels[r][c] : ""
                let fill: String, ink: String
                var side = 0
                if let value {
                    side = scale.side(value)
                    if side != 0 { outliers.insert(side) }
                    let rgb = viridisColor(span > 0 ? (value - range.lowerBound) / span : 0.5)
                    fill = hex(rgb)
                    ink = luminance(rgb) > 0.45 ? "#111" : "#fff"
                } else {
                    fill = "#e6e6e6"
                    ink = "#555"
                }
                let mark = side < 0 ? " ▼" : side > 0 ? " ▲" : ""
                let outlier = side != 0 ? " outlier" : ""
                svg += "<g class=\"cell\(value == nil ? " empty" : "")\(outlier)\"><title>\(XMLText.escape("\(name) / \(columns[c]): \(text)\(side != 0 ? " (outside the colour scale)" : "")"))</title>"
                svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cellW))\" height=\"\(f(cellH))\" fill=\"\(fill)\" stroke=\"#fff\" stroke-width=\"1.5\"/>"
                if side != 0 {
                    svg += "<rect x=\"\(f(x + 2.5))\" y=\"\(f(y + 2.5))\" width=\"\(f(cellW - 5))\" height=\"\(f(cellH - 5))\" fill=\"none\" stroke=\"\(ink)\" stroke-width=\"1.2\" stroke-dasharray=\"4 2\"/>"
                }
                let textLines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                let firstY = y + cellH / 2 - 7 * Double(textLines.count - 1)
                svg += "<text x=\"\(f(x + cellW / 2))\" y=\"\(f(firstY))\" dy=\"4\" text-anchor=\"middle\" fill=\"\(ink)\">"
                for (i, line) in textLines.enumerated() {
                    let content = XMLText.escape(line + (i == 0 ? mark : ""))
                    svg += i == 0 ? "<tspan>\(content)</tspan>"
                        : "<tspan x=\"\(f(x + cellW / 2))\" dy=\"14\" font-size=\"11\">\(content)</tspan>"
                }
                svg += "</text></g>"
            }
        }
        svg += colorBar(x: left + gridW + 24, y: top, height: max(gridH, 140), range: range)
        if !outliers.isEmpty {
            let note = [outliers.contains(-1) ? "▼ below" : nil, outliers.contains(1) ? "▲ above" : nil]
                .compactMap { $0 }.joined(separator: ", ") + " the scale"
            svg += "<text class=\"outlier-note\" x=\"\(f(left + gridW + 24))\" y=\"\(f(top + max(gridH, 140) + 18))\" fill=\"\(axisColor)\" font-size=\"11\">\(XMLText.escape(note))</text>"
        }
        return svg + "</svg>"
    }

    /// A vertical colour bar (high at the top) with its bounds and midpoint labelled.
    static func colorBar(x: Double, y: Double, height: Double, range: ClosedRange<Double>) -> String {
        let steps = 40
        var s = "<g class=\"color-bar\">"
        for i in 0..<steps {
            let t = 1 - (Double(i) + 0.5) / Double(steps)
            s += "<rect x=\"\(f(x))\" y=\"\(f(y + Double(i) * height / Double(steps)))\" width=\"14\" height=\"\(f(height / Double(steps) + 0.5))\" fill=\"\(hex(viridisColor(t)))\"/>"
        }
        s += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"14\" height=\"\(f(height))\" fill=\"none\" stroke=\"#999\"/>"
        let mid = (range.lowerBound + range.upperBound) / 2
        for (v, py) in [(range.upperBound, y), (mid, y + height / 2), (range.lowerBound, y + height)] {
            s += "<text x=\"\(f(x + 20))\" y=\"\(f(py))\" dy=\"4\" fill=\"\(axisColor)\">\(String(format: "%.2f", v))</text>"
        }
        return s + "</g>"
    }

    /// Viridis at `t` in 0...1 (clamped), as 0...255 components.
    static func viridisColor(_ t: Double) -> (Double, Double, Double) {
        let u = min(1, max(0, t.isFinite ? t : 0)) * Double(viridis.count - 1)
        let i = min(viridis.count - 2, Int(u))
        let w = u - Double(i)
        let a = viridis[i], b = viridis[i + 1]
        return (a.0 + (b.0 - a.0) * w, a.1 + (b.1 - a.1) * w, a.2 + (b.2 - a.2) * w)
    }

    /// Relative luminance (WCAG) of an sRGB colour, 0 (black) to 1 (white).
    static func luminance(_ rgb: (Double, Double, Double)) -> Double {
        func lin(_ c: Double) -> Double {
            let s = c / 255
            return s <= 0.03928 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * lin(rgb.0) + 0.7152 * lin(rgb.1) + 0.0722 * lin(rgb.2)
    }

    static func hex(_ rgb: (Double, Double, Double)) -> String {
        let c = [rgb.0, rgb.1, rgb.2].map { Int(min(255, max(0, $0.rounded()))) }
        return String(format: "#%02x%02x%02x", c[0], c[1], c[2])
    }
}
