/// How features are rescaled before training.
public enum NormalizationKind: String, Sendable, CaseIterable, Codable {
    /// Leave the features as loaded.
    case none
    /// Per feature j: x'_j = (x_j − min_j) / (max_j − min_j), min and max over the training set
    /// (scikit-learn's MinMaxScaler). A constant feature (max_j = min_j) maps to 0.
    case minmax
    /// Per feature j: x'_j = (x_j − μ_j) / σ_j, with the training mean μ_j and the population
    /// standard deviation σ_j = sqrt(mean((x_j − μ_j)²)) (divisor n, as scikit-learn's
    /// StandardScaler). A constant feature (σ_j = 0) uses σ_j = 1, so it maps to 0.
    case standard
    /// Every feature: x' = x / 255, the convention for 8-bit images (pixels to [0, 1]; what
    /// torchvision's `ToTensor` does). Fits nothing.
    case pixels
    /// Per channel c of [C, H, W] samples: x' = (x − μ_c) / σ_c, with μ_c and σ_c (divisor n) over
    /// every training pixel of channel c; samples of another rank are one channel. On MNIST's raw
    /// pixels this is torchvision's `Normalize((0.1307,), (0.3081,))` after `ToTensor` (the two
    /// numbers are MNIST's μ / 255 and σ / 255); CIFAR-10 gets three pairs. σ_c = 0 uses 1.
    case channels
}

/// A per-feature affine map x'_j = (x_j − offset_j) · scale_j, fitted on the training set only
/// and then applied unchanged to the training and the test set (fitting on test data would
/// leak it into training).
///
/// Test values outside the training range are not clipped: with `minmax` they can fall
/// slightly outside [0, 1]. Statistics are accumulated in Double.
public struct Normalizer: Sendable, Equatable {
    /// The kind this normalizer was fitted as.
    public let kind: NormalizationKind
    /// Subtracted from each feature (min_j or μ_j; empty for `.none`).
    public let offset: [Float]
    /// Multiplies each feature after the subtraction (1/range_j or 1/σ_j; empty for `.none`).
    public let scale: [Float]

    /// Computes the per-feature statistics of `data` for `kind`.
    public static func fit(_ kind: NormalizationKind, on data: Dataset) -> Normalizer {
        let d = data.dimension
        let n = data.count
        switch kind {
        case .none:
            return Normalizer(kind: .none, offset: [], scale: [])
        case .minmax:
            var lo = [Float](repeating: .infinity, count: d)
            var hi = [Float](repeating: -.infinity, count: d)
            data.features.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    for j in 0..<d {
                        let v = x[i * d + j]
                        if v < lo[j] { lo[j] = v }
                        if v > hi[j] { hi[j] = v }
                    }
                }
            }
            if n == 0 { return Normalizer(kind: .minmax, offset: [Float](repeating: 0, count: d),
                                          scale: [Float](repeating: 1, count: d)) }
            let scale = (0..<d).map { j -> Float in
                let range = Double(hi[j]) - Double(lo[j])
                return range > 0 ? Float(1 / range) : 0
            }
            return Normalizer(kind: .minmax, offset: lo, scale: scale)
        case .standard:
            var sum = [Double](repeating: 0, count: d)
            data.features.withUnsafeBufferPointer { x in
                for i in 0..<n { for j in 0..<d { sum[j] += Double(x[i * d + j]) } }
            }
            let mean = sum.map { n > 0 ? $0 / Double(n) : 0 }
            var sq = [Double](repeating: 0, count: d)
            data.features.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    for j in 0..<d {
                        let e = Double(x[i * d + j]) - mean[j]
                        sq[j] += e * e
                    }
                }
            }
            let scale = (0..<d).map { j -> Float in
                let sd = n > 0 ? (sq[j] / Double(n)).squareRoot() : 0
                return sd > 0 ? Float(1 / sd) : 1
            }
            return Normalizer(kind: .standard, offset: mean.map { Float($0) }, scale: scale)
        case .pixels:
            return Normalizer(kind: .pixels, offset: [Float](repeating: 0, count: d),
                              scale: [Float](repeating: 1 / 255, count: d))
        case .channels:
            let stats = channelStatistics(data)
            let per = d / stats.count
            var offset = [Float](), scale = [Float]()
            for (mean, sd) in stats {
                offset += [Float](repeating: Float(mean), count: per)
                scale += [Float](repeating: sd > 0 ? Float(1 / sd) : 1, count: per)
            }
            return Normalizer(kind: .channels, offset: offset, scale: scale)
        }
    }

    /// Mean and population standard deviation of each channel of `data` (a [C, H, W] sample
    /// has C channels, any other shape one), accumulated in Double.
    public static func channelStatistics(_ data: Dataset) -> [(mean: Double, sd: Double)] {
        let d = data.dimension, n = data.count
        let channels = data.shape.count == 3 ? data.shape[0] : 1
        let per = d / channels
        var result = [(mean: Double, sd: Double)]()
        data.features.withUnsafeBufferPointer { x in
            for c in 0..<channels {
                var sum = 0.0
                for i in 0..<n { for j in (c * per)..<((c + 1) * per) { sum += Double(x[i * d + j]) } }
                let count = Double(n * per)
                let mean = count > 0 ? sum / count : 0
                var sq = 0.0
                for i in 0..<n {
                    for j in (c * per)..<((c + 1) * per) {
                        let e = Double(x[i * d + j]) - mean
                        sq += e * e
                    }
                }
                result.append((mean, count > 0 ? (sq / count).squareRoot() : 0))
            }
        }
        return result
    }

    /// Rescales every feature of `data` in place.
    ///
    /// - Precondition: `data.dimension` equals the dimension this normalizer was fitted on.
    public func apply(to data: inout Dataset) {
        guard kind != .none else { return }
        let d = data.dimension
        precondition(d == offset.count,
                     "Normalizer fitted on \(offset.count) features applied to \(d) features")
        let n = data.count
        data.features.withUnsafeMutableBufferPointer { x in
            for i in 0..<n {
                for j in 0..<d {
                    x[i * d + j] = (x[i * d + j] - offset[j]) * scale[j]
                }
            }
        }
    }

    /// Rescales one sample's features (`dimension` values) in place.
    public func apply(toRow x: inout [Float]) {
        guard kind != .none else { return }
        precondition(x.count == offset.count,
                     "Normalizer fitted on \(offset.count) features applied to a row of \(x.count)")
        for j in 0..<x.count { x[j] = (x[j] - offset[j]) * scale[j] }
    }

    /// A normalised copy of `data`.
    public func applied(to data: Dataset) -> Dataset {
        var copy = data
        apply(to: &copy)
        return copy
    }
}
