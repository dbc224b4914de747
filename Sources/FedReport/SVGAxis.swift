import Foundation

extension SVGChart {
    /// A linear axis over a range with "nice" ticks (steps of 1, 2 or 5 times a power of ten,
    /// about five of them), mapping values to the unit interval.
    struct Axis {
        var lower: Double
        var upper: Double
        var ticks: [Double]
        var step: Double
        /// The axis is of log10 values: ticks are labelled with the value 10^t.
        var logarithmic = false

        /// An axis over exactly `range`, ticked inside it.
        init(fixed range: ClosedRange<Double>) {
            let span = range.upperBound > range.lowerBound ? range : range.lowerBound...(range.lowerBound + 1)
            lower = span.lowerBound
            upper = span.upperBound
            step = Axis.niceStep((upper - lower) / 5)
            ticks = Axis.ticks(lower, upper, step)
        }

        /// An axis spanning (lo, hi) widened to whole steps; `integer` keeps steps >= 1.
        init(span: (Double, Double), integer: Bool = false) {
            var (lo, hi) = span
            if hi <= lo { lo -= integer ? 1 : max(0.5, abs(lo) * 0.1); hi += integer ? 1 : max(0.5, abs(hi) * 0.1) }
            var s = Axis.niceStep((hi - lo) / (integer ? 7 : 5))
            if integer { s = max(1, s.rounded()) }
            step = s
            lower = integer ? lo : (lo / s).rounded(.down) * s
            upper = integer ? hi : (hi / s).rounded(.up) * s
            ticks = Axis.ticks(integer ? (lo / s).rounded(.up) * s : lower, upper, s)
        }

        func unit(_ v: Double) -> Double { (v - lower) / (upper - lower) }

        /// A tick label with as many decimals as the step needs.
        func label(_ v: Double) -> String {
            if logarithmic { return String(format: "%g", pow(10, v)) }
            let decimals = max(0, Int((-log10(step)).rounded(.up)))
            return String(format: "%.\(decimals)f", abs(v) < step / 1e6 ? 0 : v)
        }

        static func niceStep(_ raw: Double) -> Double {
            guard raw > 0, raw.isFinite else { return 1 }
            let p = pow(10, (log10(raw)).rounded(.down))
            let m = raw / p
            return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p
        }

        static func ticks(_ from: Double, _ to: Double, _ step: Double) -> [Double] {
            var out: [Double] = []
            var k = (from / step - 1e-9).rounded(.up)
            while k * step <= to + step * 1e-9 && out.count < 50 {
                out.append(k * step)
                k += 1
            }
            return out
        }
    }
}
