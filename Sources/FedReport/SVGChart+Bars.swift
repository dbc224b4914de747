import Foundation

extension SVGChart {
    /// A grouped bar chart: one group per entry of `groups` along x, one bar per series in each
    /// group (series `i`'s value for group `g` is `series[i].points[g].y`; nil leaves a gap),
    /// the y axis on `yRange`, a legend on the right. Each bar has a tooltip with its value.
    public static func groupedBars(_ labels: Labels, groups: [String], series: [Series],
                                   yRange: ClosedRange<Double> = 0...1, attributes: [String: String] = [:]) -> String {
        let barW = series.count > 6 ? 12.0 : 18.0
        let groupW = max(Double(series.count) * barW + 24, Double(groups.map(\.count).max() ?? 0) * 6.8 + 12)
        let legendWidth = legendWidthFor(series.map(\.name))
        let plotHeight = max(214, Double(series.count) * 18)
        let frame = Frame(left: 64, top: 40, width: max(200, groupW * Double(groups.count)), height: plotHeight)
        let width = frame.left + frame.width + 20 + legendWidth
        let yAxis = Axis(fixed: yRange)
        var svg = open(width: width, height: frame.top + frame.height + 46, attributes: attributes, label: labels.title)
        svg += title(labels.title, x: frame.left, width: frame.width)
        svg += axes(frame, x: nil, y: yAxis, labels: labels)
        let slot = frame.width / Double(max(1, groups.count))
        for (g, name) in groups.enumerated() {
            let center = frame.left + (Double(g) + 0.5) * slot
            svg += "<text x=\"\(f(center))\" y=\"\(f(frame.top + frame.height + 18))\" text-anchor=\"middle\" fill=\"#222\">\(XMLText.escape(name))</text>"
            let start = center - Double(series.count) * barW / 2
            for (i, s) in series.enumerated() {
                guard g < s.points.count, let v = s.points[g].y else { continue }
                let u = min(1, max(0, yAxis.unit(v)))
                let top = frame.y(u), bottom = frame.y(0)
                svg += "<rect x=\"\(f(start + Double(i) * barW + 1))\" y=\"\(f(top))\" width=\"\(f(barW - 2))\" height=\"\(f(max(0.5, bottom - top)))\" fill=\"\(color(s.color))\">"
                svg += "<title>\(XMLText.escape("\(name) / \(s.name): \(String(format: "%.3f", v))"))</title></rect>"
            }
        }
        svg += legend(series.map { ($0.name, $0.color) }, x: frame.left + frame.width + 16, y: frame.top, boxes: true)
        return svg + "</svg>"
    }
}
