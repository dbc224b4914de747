import Foundation

/// The span of a heat map's colours, robust to an outlier.
///
/// A scale set by the data's minimum and maximum lets one collapsed cell (accuracy 0.10 among
/// 62 cells at 0.95-0.97) paint every other cell the same yellow. Instead the scale spans the
/// values inside Tukey's fences, `[Q1 - 1.5 IQR, Q3 + 1.5 IQR]` (quartiles by linear
/// interpolation, numpy's default), widened to at least `minimumSpan` around their middle
/// (differences smaller than that are noise between seeds, not contrast) and rounded out to
/// hundredths, within `bounds`. A value outside the scale is drawn in the colour of the end it
/// passed and marked as an outlier (▼ below, ▲ above).
///
/// Worked example: [0.95, 0.96, 0.96, 0.97, 0.10]: Q1 = 0.95, Q3 = 0.96, IQR = 0.01, fences
/// 0.935 and 0.975; inside them 0.95...0.97, widened to 0.05 around 0.96: 0.935...0.985,
/// rounded out: 0.93...0.99. 0.10 is an outlier below.
public struct ColorScale: Sendable, Equatable {
    public var range: ClosedRange<Double>

    public init(range: ClosedRange<Double>) { self.range = range }

    /// The robust scale of `values` (see the type's documentation); `bounds` when empty.
    public static func robust(_ values: [Double], bounds: ClosedRange<Double> = 0...1,
                              minimumSpan: Double = 0.05) -> ColorScale {
        let xs = values.filter(\.isFinite).sorted()
        guard !xs.isEmpty else { return ColorScale(range: bounds) }
        let q1 = quantile(xs, 0.25), q3 = quantile(xs, 0.75)
        let iqr = q3 - q1
        let inside = xs.filter { $0 >= q1 - 1.5 * iqr - 1e-12 && $0 <= q3 + 1.5 * iqr + 1e-12 }
        var lo = inside.first ?? xs[0], hi = inside.last ?? xs[xs.count - 1]
        if hi - lo < minimumSpan {
            let mid = (lo + hi) / 2
            lo = mid - minimumSpan / 2
            hi = mid + minimumSpan / 2
            if lo < bounds.lowerBound { hi += bounds.lowerBound - lo; lo = bounds.lowerBound }
            if hi > bounds.upperBound { lo -= hi - bounds.upperBound; hi = bounds.upperBound }
        }
        lo = max(bounds.lowerBound, ((lo * 100) + 1e-9).rounded(.down) / 100)
        hi = min(bounds.upperBound, ((hi * 100) - 1e-9).rounded(.up) / 100)
        return ColorScale(range: lo...max(hi, lo))
    }

    /// The `p` quantile of sorted values, interpolated linearly between order statistics.
    public static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? .nan }
        let h = Double(sorted.count - 1) * p
        let i = Int(h.rounded(.down))
        let j = min(sorted.count - 1, i + 1)
        return sorted[i] + (h - Double(i)) * (sorted[j] - sorted[i])
    }

    /// -1 below the scale, +1 above it, 0 on it.
    public func side(_ x: Double) -> Int {
        x < range.lowerBound - 1e-9 ? -1 : x > range.upperBound + 1e-9 ? 1 : 0
    }
}
