import FedCore

/// The valid inputs of a model, in its own (normalised) feature space: feature j lies in
/// `[lower[j], upper[j]]`.
///
/// For images these are the normalised images of the raw pixel range (`[0, 255]` for MNIST
/// and CIFAR-10, `[0, 16]` for digits) under the scenario's `dataset.normalize`; for other
/// data, the per-feature range of the training set. Every threat evaluation measures in
/// units of this range: an L-infinity budget `epsilon = 0.1` lets each feature move by a tenth
/// of its width (0.1 on pixels scaled to [0, 1], the convention of Madry et al. 2018), and
/// the reported perturbation norms and image metrics are in the same units.
public struct InputDomain: Sendable, Equatable {
    public let lower: [Float]
    public let upper: [Float]

    public init(lower: [Float], upper: [Float]) {
        precondition(lower.count == upper.count, "InputDomain: \(lower.count) lower bounds but \(upper.count) upper bounds")
        precondition(zip(lower, upper).allSatisfy { $0 <= $1 }, "InputDomain: a lower bound above its upper bound")
        self.lower = lower
        self.upper = upper
    }

    public var dimension: Int { lower.count }

    /// `upper[j] - lower[j]`.
    public func width(_ j: Int) -> Float { upper[j] - lower[j] }

    /// The raw range `[rawLower, rawUpper]` of every feature mapped through `normalizer`
    /// (an affine map with positive scale, so the ends stay in order; a feature whose scale is
    /// 0, constant in training, maps to the single point 0).
    public init(raw rawLower: Float, _ rawUpper: Float, dimension: Int, normalizer: Normalizer) {
        var lo = [Float](repeating: rawLower, count: dimension)
        var hi = [Float](repeating: rawUpper, count: dimension)
        normalizer.apply(toRow: &lo)
        normalizer.apply(toRow: &hi)
        self.init(lower: zip(lo, hi).map { min($0, $1) }, upper: zip(lo, hi).map { max($0, $1) })
    }

    /// The per-feature range of `data` (for data without a declared raw range).
    public init(spanOf data: Dataset) {
        let d = data.dimension
        var lo = [Float](repeating: .infinity, count: d)
        var hi = [Float](repeating: -.infinity, count: d)
        data.features.withUnsafeBufferPointer { x in
            for i in 0..<data.count {
                for j in 0..<d {
                    let v = x[i * d + j]
                    if v < lo[j] { lo[j] = v }
                    if v > hi[j] { hi[j] = v }
                }
            }
        }
        if data.count == 0 { lo = [Float](repeating: 0, count: d); hi = lo }
        self.init(lower: lo, upper: hi)
    }

    /// Clamps every feature of the row-major batch `x` (`rows x dimension`) into the domain.
    public func clamp(_ x: UnsafeMutableBufferPointer<Float>) {
        let d = dimension
        precondition(d > 0 && x.count % d == 0, "InputDomain.clamp: \(x.count) values are not rows of \(d)")
        for i in 0..<x.count {
            let j = i % d
            x[i] = min(max(x[i], lower[j]), upper[j])
        }
    }

    /// Feature j of a value on the display scale: `(x - lower[j]) / width(j)` in [0, 1]
    /// (0 for a feature of zero width), for images in the reports.
    public func display(_ x: [Float]) -> [Float] {
        precondition(x.count == dimension, "InputDomain.display: \(x.count) values for dimension \(dimension)")
        return (0..<dimension).map { j in
            let w = width(j)
            return w > 0 ? min(max((x[j] - lower[j]) / w, 0), 1) : 0
        }
    }
}
