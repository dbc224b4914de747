import FedCore
#if canImport(Glibc)
import Glibc
#endif

/// Output-driven model inversion (Fredrikson, Jha & Ristenpart, "Model Inversion Attacks that
/// Exploit Confidence Information and Basic Countermeasures", CCS 2015, sec. 5, MI-Face):
/// one representative input per class by gradient descent on the input of a cost on the
/// model's confidence in that class, with the model's input gradients (white box):
///
///     x_0 = start,   x_{t+1} = clamp_domain(x_t − lr · ∇_x [ cost_c(x_t) + tv · TV(x_t) ])
///
/// `cost_c` is `1 − p_c(x)` (the paper's `c(x) = 1 − f̃_label(x)`, `Cost.confidence`) or the
/// cross-entropy `−log p_c(x)` (`Cost.crossEntropy`; the same descent direction scaled by
/// `1 / p_c`, so it does not stall where `p_c` is still tiny). `TV` is the anisotropic total
/// variation (`TotalVariation`), the denoising prior of the image attacks, for image shapes
/// only. Fredrikson et al. start from the zero image and stop early on no improvement or on a
/// confidence threshold; here every run takes `iterations` steps (a fixed cost and the same
/// bits for the same input), and the denoising step (their `Process`) is the TV term.
/// All classes descend together as one batch: one forward and backward per step.
public struct ModelInversion: Sendable, Equatable {
    public enum Cost: String, CaseIterable, Sendable {
        case crossEntropy = "cross_entropy"
        case confidence
    }

    public enum Start: String, CaseIterable, Sendable {
        /// Every feature at the middle of its range (a grey image).
        case middle
        /// Every feature at its lowest value (the zero image of MI-Face on pixels in [0, 1]).
        case lower
        /// The mean of the attacker's own inputs (the held-out data), clamped to the domain:
        /// the reconstruction starts at the baseline distance from every class mean.
        case mean
    }

    /// The start point of every class's descent (`data` gives the mean for `.mean`).
    public static func startPoint(_ start: Start, domain: InputDomain, data: Dataset) -> [Float] {
        let d = domain.dimension
        switch start {
        case .middle: return (0..<d).map { (domain.lower[$0] + domain.upper[$0]) / 2 }
        case .lower: return domain.lower
        case .mean:
            var m = [Double](repeating: 0, count: d)
            for i in 0..<data.count { for j in 0..<d { m[j] += Double(data.features[i * d + j]) } }
            var x = m.map { Float($0 / Double(max(data.count, 1))) }
            x.withUnsafeMutableBufferPointer { domain.clamp($0) }
            return x
        }
    }

    public var iterations: Int
    public var learningRate: Float
    public var tv: Float
    public var cost: Cost
    public var start: Start

    public init(iterations: Int = 500, learningRate: Float = 0.1, tv: Float = 0, cost: Cost = .crossEntropy,
                start: Start = .mean) {
        precondition(iterations >= 0 && learningRate > 0 && tv >= 0, "ModelInversion: needs iterations >= 0, lr > 0, tv >= 0")
        self.iterations = iterations
        self.learningRate = learningRate
        self.tv = tv
        self.cost = cost
        self.start = start
    }

    /// One reconstruction per class of `classes`, each `model.inputDimension` values,
    /// concatenated in that order; `shape` is one sample's shape (TV applies to `[C, H, W]`);
    /// `data` is the attacker's own data (for `start: mean`).
    public func reconstruct(model: any Model, parameters: [Float], classes: [Int], domain: InputDomain,
                            shape: [Int], data: Dataset? = nil) -> [Float] {
        let d = model.inputDimension, c = model.classes, k = classes.count
        precondition(domain.dimension == d, "ModelInversion: a domain of \(domain.dimension) features for a model of \(d)")
        precondition(classes.allSatisfy { (0..<c).contains($0) }, "ModelInversion: classes \(classes) outside 0..<\(c)")
        guard k > 0 else { return [] }
        precondition(start != .mean || data != nil, "ModelInversion: start mean needs the attacker's data")
        let empty = Dataset(features: [], labels: [], dimension: d, classes: c, name: "none")
        let x0 = Self.startPoint(start, domain: domain, data: data ?? empty)
        var x = [Float]()
        x.reserveCapacity(k * d)
        for _ in 0..<k { x += x0 }
        let labels = classes.map { Int32($0) }
        var gradient = [Float](repeating: 0, count: k * d)
        var logits = [Float](repeating: 0, count: k * c)
        let workspace = ModelWorkspace()
        let isImage = shape.count == 3 && shape.reduce(1, *) == d
        parameters.withUnsafeBufferPointer { p in
            labels.withUnsafeBufferPointer { y in
                for _ in 0..<iterations {
                    // Per-sample p_c for the confidence cost: d(1 - p_c)/dx = p_c * d(-log p_c)/dx.
                    if cost == .confidence {
                        x.withUnsafeBufferPointer { xp in
                            logits.withUnsafeMutableBufferPointer { z in
                                model.logits(parameters: p, inputs: xp, batchSize: k, into: z, workspace: workspace)
                            }
                        }
                    }
                    x.withUnsafeBufferPointer { xp in
                        gradient.withUnsafeMutableBufferPointer { g in
                            var noDropout: SeededRNG? = nil
                            _ = model.lossAndGradients(parameters: p, inputs: xp, labels: y, batchSize: k, gradient: nil,
                                                       inputGradient: g, workspace: workspace, dropoutRNG: &noDropout)
                        }
                    }
                    // The batch loss is the mean over the k rows: scale back to each row's own cost.
                    for i in 0..<k {
                        let scale = Float(k) * (cost == .confidence ? Self.probability(logits, row: i, of: classes[i], classes: c) : 1)
                        for j in 0..<d { gradient[i * d + j] *= scale }
                    }
                    if isImage && tv > 0 {
                        x.withUnsafeBufferPointer { xp in
                            gradient.withUnsafeMutableBufferPointer { g in
                                for i in 0..<k {
                                    TotalVariation.value(UnsafeBufferPointer(rebasing: xp[(i * d)..<((i + 1) * d)]), shape: shape,
                                                         addingGradientTo: UnsafeMutableBufferPointer(rebasing: g[(i * d)..<((i + 1) * d)]),
                                                         scale: tv)
                                }
                            }
                        }
                    }
                    x.withUnsafeMutableBufferPointer { xp in
                        for i in xp.indices { xp[i] -= learningRate * gradient[i] }
                        domain.clamp(xp)
                    }
                }
            }
        }
        return x
    }

    /// `softmax(logits row i)[label]`.
    static func probability(_ logits: [Float], row i: Int, of label: Int, classes c: Int) -> Float {
        let row = logits[(i * c)..<((i + 1) * c)]
        let m = row.max() ?? 0
        let sum = row.reduce(Float(0)) { $0 + expf($1 - m) }
        return expf(logits[i * c + label] - m) / sum
    }
}
