import Foundation

/// How close a reconstruction is to the original, both on the display scale [0, 1]
/// (`InputDomain.display`), so the peak signal is 1.
///
/// - MSE: `mean_j (a_j − b_j)²`.
/// - PSNR: `10 log10(1 / max(MSE, 1e-10))` dB (at most 100 dB: an exact recovery in float
///   arithmetic would otherwise be infinite, which no table can hold).
/// - SSIM (Wang, Bovik, Sheikh & Simoncelli, IEEE TIP 2004), per channel, averaged over the
///   window positions that fit inside the image and then over the channels:
///
///       SSIM = (2 μa μb + C1)(2 σab + C2) / ((μa² + μb² + C1)(σa² + σb² + C2)),
///       C1 = (0.01)², C2 = (0.03)²  (K1 = 0.01, K2 = 0.03, dynamic range 1),
///
///   with the paper's 11×11 Gaussian window (σ = 1.5, weights summing to 1, weighted
///   moments) on images of at least 11×11, and on smaller ones (digits' 8×8) the 7×7 uniform
///   window with sample (n − 1) moments, scikit-image's `structural_similarity` default; the
///   window shrinks to the image's smaller side (odd) for images under 7 pixels. Samples that
///   are not images (shape of rank 1) are one row `[1, 1, d]`: SSIM then uses a 1×w window.
public enum ImageSimilarity {
    public static func mse(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count && !a.isEmpty, "ImageSimilarity.mse: \(a.count) and \(b.count) values")
        var s = 0.0
        for j in a.indices { let d = Double(a[j]) - Double(b[j]); s += d * d }
        return s / Double(a.count)
    }

    public static func psnr(mse: Double) -> Double {
        10 * log10(1 / max(mse, 1e-10))
    }

    public static func psnr(_ a: [Float], _ b: [Float]) -> Double { psnr(mse: mse(a, b)) }

    /// Mean SSIM of two images of `shape` (`[C, H, W]`, or `[d]` for a flat sample).
    public static func ssim(_ a: [Float], _ b: [Float], shape: [Int]) -> Double {
        let (c, h, w) = shape.count == 3 ? (shape[0], shape[1], shape[2]) : (1, 1, a.count)
        precondition(a.count == c * h * w && b.count == a.count, "ImageSimilarity.ssim: \(a.count) and \(b.count) values for shape \(shape)")
        let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03
        let (weights, size, sample) = window(height: h, width: w)
        let (wh, ww) = size
        let n = Double(wh * ww)
        // scikit-image's unbiased moments: multiply the (uniform) variances by n / (n - 1).
        let correction = sample && n > 1 ? n / (n - 1) : 1
        var total = 0.0
        for ch in 0..<c {
            let base = ch * h * w
            var sum = 0.0
            var positions = 0
            for top in 0...(h - wh) {
                for left in 0...(w - ww) {
                    var ma = 0.0, mb = 0.0, aa = 0.0, bb = 0.0, ab = 0.0
                    for i in 0..<wh {
                        for j in 0..<ww {
                            let k = base + (top + i) * w + left + j
                            let g = weights[i * ww + j]
                            let x = Double(a[k]), y = Double(b[k])
                            ma += g * x; mb += g * y
                            aa += g * x * x; bb += g * y * y; ab += g * x * y
                        }
                    }
                    let va = (aa - ma * ma) * correction
                    let vb = (bb - mb * mb) * correction
                    let cov = (ab - ma * mb) * correction
                    sum += (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
                    positions += 1
                }
            }
            total += sum / Double(positions)
        }
        return total / Double(c)
    }

    /// The window's weights (row-major, summing to 1), its size, and whether the moments
    /// take the sample (n − 1) correction.
    static func window(height h: Int, width w: Int) -> (weights: [Double], size: (Int, Int), sample: Bool) {
        if h >= 11 && w >= 11 {
            let sigma = 1.5
            let g = (0..<11).map { exp(-Double(($0 - 5) * ($0 - 5)) / (2 * sigma * sigma)) }
            let s = g.reduce(0, +)
            let g1 = g.map { $0 / s }
            return ((0..<121).map { g1[$0 / 11] * g1[$0 % 11] }, (11, 11), false)
        }
        func side(_ n: Int) -> Int { n >= 7 ? 7 : (n % 2 == 1 ? n : n - 1) }
        let (wh, ww) = h == 1 ? (1, side(w)) : (min(side(h), side(w)), min(side(h), side(w)))
        let count = wh * ww
        return ([Double](repeating: 1 / Double(count), count: count), (wh, ww), true)
    }
}
