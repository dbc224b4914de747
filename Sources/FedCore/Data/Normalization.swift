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
        }
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

    /// A normalised copy of `data`.
    public func applied(to data: Dataset) -> Dataset {
        var copy = data
        apply(to: &copy)
        return copy
    }
}
