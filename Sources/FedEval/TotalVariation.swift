/// Anisotropic total variation of one image of shape `[C, H, W]` (channel-major), the
/// image prior of Inverting Gradients (Geiping et al., NeurIPS 2020, eq. 4 and their code):
///
///     TV(x) = mean_{c,i<H-1,j} |x[c,i+1,j] − x[c,i,j]| + mean_{c,i,j<W-1} |x[c,i,j+1] − x[c,i,j]|
///
/// The gradient is the subgradient with sign(0) = 0. A flat image has TV 0; one sharp edge
/// costs its height times the share of pairs that cross it. Samples that are not images
/// (shape of rank 1) have no neighbours: TV 0 and a zero gradient.
public enum TotalVariation {
    /// TV(x), and its gradient added (times `scale`) to `gradient` when given.
    @discardableResult
    public static func value(_ x: UnsafeBufferPointer<Float>, shape: [Int],
                             addingGradientTo gradient: UnsafeMutableBufferPointer<Float>? = nil,
                             scale: Float = 1) -> Float {
        guard shape.count == 3 else { return 0 }
        let (c, h, w) = (shape[0], shape[1], shape[2])
        precondition(x.count == c * h * w, "TotalVariation: \(x.count) values for shape \(shape)")
        var total: Double = 0
        // Vertical pairs (i, i+1), then horizontal pairs (j, j+1); each mean over its own count.
        for (di, dj) in [(1, 0), (0, 1)] {
            let pairs = c * (h - di) * (w - dj)
            guard pairs > 0 else { continue }
            var sum: Double = 0
            let g = scale / Float(pairs)
            for ch in 0..<c {
                for i in 0..<(h - di) {
                    for j in 0..<(w - dj) {
                        let a = ch * h * w + i * w + j
                        let b = a + di * w + dj
                        let d = x[b] - x[a]
                        sum += Double(abs(d))
                        if let gradient, d != 0 {
                            let s: Float = d > 0 ? g : -g
                            gradient[b] += s
                            gradient[a] -= s
                        }
                    }
                }
            }
            total += sum / Double(pairs)
        }
        return Float(total)
    }

    /// Array convenience: TV(x) and its gradient.
    public static func valueAndGradient(_ x: [Float], shape: [Int]) -> (value: Float, gradient: [Float]) {
        var g = [Float](repeating: 0, count: x.count)
        let v = x.withUnsafeBufferPointer { xp in
            g.withUnsafeMutableBufferPointer { gp in value(xp, shape: shape, addingGradientTo: gp) }
        }
        return (v, g)
    }
}
