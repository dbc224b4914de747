import FedCore
import Foundation

// MARK: - Independent references for the models

/// Forward pass of a dense ReLU network in Double, straight from the layer views (no BLAS):
/// `a₀ = x`, `aₗ = relu(aₗ₋₁ Wₗ + bₗ)`, logits `= a_{L−1} W_L + b_L`. An independent check of
/// the models' logits and the function finite differences are taken of.
public func referenceLogits(layers: [DenseLayer], parameters: [Double], inputs: [Double], batchSize: Int) -> [Double] {
    var a = inputs
    for (l, layer) in layers.enumerated() {
        var z = [Double](repeating: 0, count: batchSize * layer.outputs)
        for r in 0..<batchSize {
            for o in 0..<layer.outputs {
                var s = parameters[layer.biasRange.lowerBound + o]
                for i in 0..<layer.inputs {
                    s += a[r * layer.inputs + i] * parameters[layer.weightRange.lowerBound + i * layer.outputs + o]
                }
                z[r * layer.outputs + o] = l == layers.count - 1 ? s : max(s, 0)
            }
        }
        a = z
    }
    return a
}

/// Mean softmax cross-entropy in Double: `(1/B) Σ_r (logsumexp(z_r) − z_r[y_r])`, with the
/// maximum subtracted before exponentiating.
public func referenceLoss(logits: [Double], labels: [Int32], classes: Int) -> Double {
    let b = labels.count
    var total = 0.0
    for r in 0..<b {
        let row = Array(logits[(r * classes)..<((r + 1) * classes)])
        let m = row.max() ?? 0
        let lse = m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
        total += lse - row[Int(labels[r])]
    }
    return total / Double(b)
}

/// The dense layers of an MLP or a logistic regression.
public func denseLayers(_ model: any Model) -> [DenseLayer] {
    if let m = model as? MLP { return m.layers }
    if let m = model as? LogisticRegression { return [m.layer] }
    preconditionFailure("denseLayers: unknown model type \(type(of: model))")
}

// MARK: - Data

/// `classes` Gaussian blobs of `perClass` samples each: class k centred at `separation · e_k`
/// (so `dimension >= classes`), standard deviation `sd`, samples interleaved by class.
public func gaussianBlobs(classes: Int, dimension: Int, perClass: Int, separation: Double, sd: Double,
                          seed: UInt64) -> Dataset {
    precondition(dimension >= classes, "gaussianBlobs: dimension \(dimension) < classes \(classes)")
    var rng = SeededRNG(seed: seed)
    var features = [Float]()
    var labels = [Int32]()
    for _ in 0..<perClass {
        for k in 0..<classes {
            for j in 0..<dimension {
                let centre = j == k ? separation : 0
                features.append(Float(centre + sd * rng.nextGaussian()))
            }
            labels.append(Int32(k))
        }
    }
    return Dataset(features: features, labels: labels, dimension: dimension, classes: classes, name: "blobs")
}
