/// Reconstructions scored against the originals they best match: the least-MSE one-to-one
/// assignment (`HungarianAssignment`), then the mean over the pairs of MSE, PSNR and SSIM
/// (`ImageSimilarity`), all on the display scale. Geiping et al. average PSNR over the batch
/// the same way.
public struct ReconstructionScore: Sendable, Equatable {
    /// `original[j]` is matched with `reconstruction[assignment.firstIndex(of: j)]`;
    /// `matchOf[j]` is that reconstruction's index.
    public let matchOf: [Int]
    /// Per original, in its order.
    public let mse: [Double]
    public let psnr: [Double]
    public let ssim: [Double]

    public var meanMSE: Double { mean(mse) }
    public var meanPSNR: Double { mean(psnr) }
    public var meanSSIM: Double { mean(ssim) }

    /// `originals` and `reconstructions`: equal counts of images of `shape`, display scale.
    public init(originals: [[Float]], reconstructions: [[Float]], shape: [Int]) {
        precondition(originals.count == reconstructions.count && !originals.isEmpty,
                     "ReconstructionScore: \(reconstructions.count) reconstructions for \(originals.count) originals")
        let cost = reconstructions.map { r in originals.map { ImageSimilarity.mse(r, $0) } }
        let assignment = HungarianAssignment.solve(cost)
        var matchOf = [Int](repeating: 0, count: originals.count)
        for (r, j) in assignment.enumerated() { matchOf[j] = r }
        self.matchOf = matchOf
        mse = originals.indices.map { cost[matchOf[$0]][$0] }
        psnr = mse.map(ImageSimilarity.psnr(mse:))
        ssim = originals.indices.map { ImageSimilarity.ssim(reconstructions[matchOf[$0]], originals[$0], shape: shape) }
    }

    private func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
}
