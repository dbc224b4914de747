import FedCore

/// Exact recovery of one input from the gradient of a dense first layer with bias (Phong,
/// Aono, Hayashi, Wang & Moriai, "Privacy-preserving deep learning via additively homomorphic
/// encryption", IEEE TIFS 2017; Geiping et al., NeurIPS 2020, section 4).
///
/// The first layer computes `z_o = sum_i x_i W[i, o] + b_o`, so for one sample
/// `dL/dW[i, o] = x_i · dL/dz_o` and `dL/db_o = dL/dz_o`: every output unit o with
/// `dL/db_o ≠ 0` gives the whole input as `x_i = dL/dW[i, o] / dL/db_o`. The unit with the
/// largest `|dL/db_o|` is the least affected by noise. Exact (to rounding) for a batch of
/// one and one SGD step; for a batch it returns a mixture of the inputs, for several local
/// steps an approximation (the ratio of the accumulated updates).
public enum AnalyticInversion {
    /// The first layer's weight `[inputDimension, out]` and bias `[out]` blocks, when the
    /// model's first parameters are a dense layer with bias applied to the raw input (only
    /// `flatten` or `dropout` before it in a `Sequential`); nil otherwise.
    public static func firstDenseLayer(of model: any Model) -> (weight: ParameterBlock, bias: ParameterBlock)? {
        let blocks = model.parameterBlocks
        guard blocks.count >= 2 else { return nil }
        let w = blocks[0], b = blocks[1]
        guard w.name == "dense0.weight", b.name == "dense0.bias", w.shape.count == 2,
              w.shape[0] == model.inputDimension, b.shape == [w.shape[1]] else { return nil }
        if let sequential = model as? Sequential {
            for layer in sequential.layers {
                if layer.kind == "dense" { break }
                guard layer.kind == "flatten" || layer.kind == "dropout" else { return nil }
            }
        }
        return (w, b)
    }

    /// Why the attack cannot run on `model` (one line), or nil.
    public static func unsupported(_ model: any Model) -> String? {
        if firstDenseLayer(of: model) != nil { return nil }
        let first = model.parameterBlocks.first.map { "\($0.name) \($0.shape)" } ?? "no parameters"
        return "needs a dense first layer with bias on the input; this model starts with \(first)"
    }

    /// The input recovered from `gradient` (a gradient of the whole parameter vector), or nil
    /// when the model does not apply or every bias entry is 0.
    public static func recover(gradient: [Float], model: any Model) -> [Float]? {
        guard let (w, b) = firstDenseLayer(of: model) else { return nil }
        let out = w.shape[1]
        var best = -1
        var largest: Float = 0
        for o in 0..<out where abs(gradient[b.range.lowerBound + o]) > largest {
            largest = abs(gradient[b.range.lowerBound + o])
            best = o
        }
        guard best >= 0 else { return nil }
        let db = gradient[b.range.lowerBound + best]
        return (0..<model.inputDimension).map { gradient[w.range.lowerBound + $0 * out + best] / db }
    }
}
