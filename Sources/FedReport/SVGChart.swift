import Foundation

/// Inline SVG charts for the HTML reports: line charts, heat maps and grouped bar charts.
/// Each function returns one `<svg>` element with its own namespace, so it embeds in XHTML;
/// every text is escaped. Sizes are in pixels of the viewBox; the page's CSS scales them.
public enum SVGChart {
    /// Tableau 10, a categorical palette that stays apart for most colour vision.
    public static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                 "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    /// One (x, y) point; y is nil where the series has no value (the line breaks there).
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double?
        public init(x: Double, y: Double?) { self.x = x; self.y = y }
    }

    /// One line of a line chart, or one set of bars of a bar chart.
    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        /// Index into `palette` (past 10 the colours repeat, with dashed lines).
        public var color: Int
        /// A band drawn behind the line in the series' colour (min-max or ± std over seeds);
        /// empty for none. Runs of consecutive x values make one shaded polygon each.
        public var band: [(x: Double, lo: Double, hi: Double)]

        public init(name: String, points: [Point], color: Int, band: [(x: Double, lo: Double, hi: Double)] = []) {
            self.name = name
            self.points = points
            self.color = color
            self.band = band
        }
    }

    /// Titles of a chart and its axes.
    public struct Labels: Sendable {
        public var title: String
        public var x: String
        public var y: String
        public init(title: String, x: String, y: String) { self.title = title; self.x = x; self.y = y }
    }

    static let font = "font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\""
    static let axisColor = "#444"
    static let gridColor = "#e3e3e3"

    /// The colour of series `i`.
    static func color(_ i: Int) -> String { palette[((i % palette.count) + palette.count) % palette.count] }
    /// A dash pattern for series past the palette's length.
    static func dash(_ i: Int) -> String { i >= palette.count ? " stroke-dasharray=\"6 3\"" : "" }

    // MARK: - Line chart

    /// A line chart: one polyline per series over a shared x axis (rounds), with gridlines,
    /// ticks on both axes, a legend on the right and a title. `yRange` fixes the y axis (for
    /// accuracy, 0...1); without it the axis spans the data and zero, rounded to nice ticks.
    /// `attributes` are added to the `<svg>` element (class, id, data-*).
    /// `integerX` ticks the x axis at whole numbers (rounds); off for a swept key's values.
    /// `logX` draws x on a log10 scale ticked at powers of ten (every x must be positive).
    public static func line(_ labels: Labels, series: [Series], yRange: ClosedRange<Double>? = nil,
                            attributes: [String: String] = [:], width: Double = 640, height: Double = 300,
                            integerX: Bool = true, logX: Bool = false) -> String {
        // A logarithmic x axis: the chart is drawn over log10(x), ticked at powers of ten.
        let series = !logX ? series : series.map { s in
            SVGChart.Series(name: s.name, points: s.points.map { Point(x: log10($0.x), y: $0.y) }, color: s.color,
                            band: s.band.map { (log10($0.x), $0.lo, $0.hi) })
        }
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.compactMap(\.y) + $0.band.flatMap { [$0.lo, $0.hi] } }
        let legendWidth = legendWidthFor(series.map(\.name))
        let plotHeight = max(height - 86, Double(series.count) * 18)
        let frame = Frame(left: 64, top: 40, width: width - 64 - 20 - legendWidth, height: plotHeight)
        var xScale = Axis(span: xs.min().map { ($0, xs.max() ?? $0) } ?? (0, 1), integer: integerX || logX)
        xScale.logarithmic = logX
        let yScale = yRange.map { Axis(fixed: $0) } ?? Axis(span: ys.min().map { (min(0, $0), ys.max() ?? $0) } ?? (0, 1))
        var svg = open(width: width, height: frame.top + frame.height + 46, attributes: attributes, label: labels.title)
        svg += title(labels.title, x: frame.left, width: frame.width)
        svg += axes(frame, x: xScale, y: yScale, labels: labels)
        if ys.isEmpty {
            svg += "<text x=\"\(f(frame.x(0.5)))\" y=\"\(f(frame.y(0.5)))\" text-anchor=\"middle\" fill=\"#888\">no data</text>"
        }
        let markers = !integerX || (xs.max() ?? 0) - (xs.min() ?? 0) <= 40
        for s in series where !s.band.isEmpty {
            for run in bandRuns(s.band, xs: Set(xs).sorted()) where run.count > 1 {
                let upper = run.map { "\(f(frame.x(xScale.unit($0.x)))),\(f(frame.y(yScale.unit($0.hi))))" }
                let lower = run.reversed().map { "\(f(frame.x(xScale.unit($0.x)))),\(f(frame.y(yScale.unit($0.lo))))" }
                svg += "<polygon class=\"band\" data-name=\"\(XMLText.escape(s.name))\" fill=\"\(color(s.color))\" fill-opacity=\"0.16\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>"
            }
        }
        for s in series {
            let c = color(s.color)
            svg += "<g class=\"series\" data-name=\"\(XMLText.escape(s.name))\"><title>\(XMLText.escape(s.name))</title>"
            for segment in segments(s.points) {
                let pts = segment.map { "\(f(frame.x(xScale.unit($0.x)))),\(f(frame.y(yScale.unit($0.y))))" }
                if segment.count > 1 {
                    svg += "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"2\" stroke-linejoin=\"round\"\(dash(s.color)) points=\"\(pts.joined(separator: " "))\"/>"
                }
                if markers || segment.count == 1 {
                    for p in segment {
                        svg += "<circle cx=\"\(f(frame.x(xScale.unit(p.x))))\" cy=\"\(f(frame.y(yScale.unit(p.y))))\" r=\"2.5\" fill=\"\(c)\"/>"
                    }
                }
            }
            svg += "</g>"
        }
        svg += legend(series.map { ($0.name, $0.color) }, x: frame.left + frame.width + 16, y: frame.top)
        return svg + "</svg>"
    }

    /// Runs of band points at consecutive x values of the chart (`xs`, sorted): a gap in the
    /// band (a round with one seed) splits it.
    static func bandRuns(_ band: [(x: Double, lo: Double, hi: Double)], xs: [Double]) -> [[(x: Double, lo: Double, hi: Double)]] {
        let position = Dictionary(xs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [[(x: Double, lo: Double, hi: Double)]] = []
        var current: [(x: Double, lo: Double, hi: Double)] = []
        for b in band.sorted(by: { $0.x < $1.x }) {
            if let last = current.last, (position[b.x] ?? -2) != (position[last.x] ?? -10) + 1 {
                out.append(current)
                current = []
            }
            current.append(b)
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Runs of consecutive points with a value.
    static func segments(_ points: [Point]) -> [[(x: Double, y: Double)]] {
        var out: [[(x: Double, y: Double)]] = []
        var current: [(x: Double, y: Double)] = []
        for p in points {
            if let y = p.y { current.append((p.x, y)) } else if !current.isEmpty { out.append(current); current = [] }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    // MARK: - Shared pieces

    /// The plot area inside the margins; maps unit coordinates (0...1) to pixels.
    struct Frame {
        var left: Double, top: Double, width: Double, height: Double
        func x(_ u: Double) -> Double { left + u * width }
        func y(_ u: Double) -> Double { top + (1 - u) * height }
    }

    static func open(width: Double, height: Double, attributes: [String: String], label: String) -> String {
        var attrs = attributes
        attrs["role"] = "img"
        attrs["aria-label"] = label
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" \(font) font-size=\"12\"\(XMLText.attributes(attrs))>"
            + "<rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"#fff\"/>"
    }

    static func title(_ text: String, x: Double, width: Double) -> String {
        "<text x=\"\(f(x + width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"600\" fill=\"#222\">\(XMLText.escape(text))</text>"
    }

    /// Gridlines, tick labels and axis titles.
    static func axes(_ fr: Frame, x: Axis?, y: Axis, labels: Labels) -> String {
        var s = "<g class=\"axes\" fill=\"\(axisColor)\">"
        for t in y.ticks {
            let py = f(fr.y(y.unit(t)))
            s += "<line x1=\"\(f(fr.left))\" x2=\"\(f(fr.left + fr.width))\" y1=\"\(py)\" y2=\"\(py)\" stroke=\"\(gridColor)\"/>"
            s += "<text x=\"\(f(fr.left - 6))\" y=\"\(py)\" dy=\"4\" text-anchor=\"end\">\(y.label(t))</text>"
        }
        if let x {
            for t in x.ticks {
                let px = f(fr.x(x.unit(t)))
                s += "<line x1=\"\(px)\" x2=\"\(px)\" y1=\"\(f(fr.top + fr.height))\" y2=\"\(f(fr.top + fr.height + 5))\" stroke=\"\(axisColor)\"/>"
                s += "<text x=\"\(px)\" y=\"\(f(fr.top + fr.height + 18))\" text-anchor=\"middle\">\(x.label(t))</text>"
            }
        }
        s += "<line x1=\"\(f(fr.left))\" x2=\"\(f(fr.left))\" y1=\"\(f(fr.top))\" y2=\"\(f(fr.top + fr.height))\" stroke=\"\(axisColor)\"/>"
        s += "<line x1=\"\(f(fr.left))\" x2=\"\(f(fr.left + fr.width))\" y1=\"\(f(fr.top + fr.height))\" y2=\"\(f(fr.top + fr.height))\" stroke=\"\(axisColor)\"/>"
        s += "<text x=\"\(f(fr.left + fr.width / 2))\" y=\"\(f(fr.top + fr.height + 38))\" text-anchor=\"middle\">\(XMLText.escape(labels.x))</text>"
        let cy = f(fr.top + fr.height / 2)
        s += "<text x=\"16\" y=\"\(cy)\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(cy))\">\(XMLText.escape(labels.y))</text>"
        return s + "</g>"
    }

    /// A column of colour swatches and names.
    static func legend(_ entries: [(name: String, color: Int)], x: Double, y: Double, boxes: Bool = false) -> String {
        var s = "<g class=\"legend\">"
        for (i, e) in entries.enumerated() {
            let ly = y + Double(i) * 18 + 6
            if boxes {
                s += "<rect x=\"\(f(x + 3))\" y=\"\(f(ly - 6))\" width=\"12\" height=\"12\" fill=\"\(color(e.color))\"/>"
                s += "<text x=\"\(f(x + 24))\" y=\"\(f(ly))\" dy=\"4\" fill=\"#222\">\(XMLText.escape(e.name))</text>"
                continue
            }
            s += "<line x1=\"\(f(x))\" x2=\"\(f(x + 18))\" y1=\"\(f(ly))\" y2=\"\(f(ly))\" stroke=\"\(color(e.color))\" stroke-width=\"3\"\(dash(e.color))/>"
            s += "<text x=\"\(f(x + 24))\" y=\"\(f(ly))\" dy=\"4\" fill=\"#222\">\(XMLText.escape(e.name))</text>"
        }
        return s + "</g>"
    }

    static func legendWidthFor(_ names: [String]) -> Double {
        min(300, Double(names.map(\.count).max() ?? 0) * 7.2 + 34)
    }

    /// A coordinate with at most two decimals.
    static func f(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
