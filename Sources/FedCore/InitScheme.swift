/// How a model's weight layers (dense and convolution) are initialised: `model.init`.
///
/// `fan_in` is the number of inputs of one output unit: `inputs` for a dense layer,
/// `in_channels * kh * kw` for a convolution; `fan_out` is `outputs`, or
/// `out_channels * kh * kw`. Draws are uniform, layer by layer, the weights in storage order,
/// then the biases (when drawn), all from the one initialisation rng.
///
/// - `he`: He/Kaiming uniform (He et al., 2015, "Delving deep into rectifiers"),
///   `W ~ U(-sqrt(6 / fan_in), +sqrt(6 / fan_in))` for every weight layer except the output
///   layer (the last weight layer, not followed by a ReLU), which gets
///   `W ~ U(-1 / sqrt(fan_in), +1 / sqrt(fan_in))` so that the first logits are small and the
///   first loss is near `log(classes)`; every bias 0. It keeps the second moment of the
///   activations constant through ReLU layers. This is fedsim's MLP initialisation since the
///   start (the `mlp` default, so earlier results are unchanged).
/// - `pytorch`: PyTorch's default for `nn.Linear` and `nn.Conv2d` (`reset_parameters`):
///   `kaiming_uniform_(W, a = sqrt(5))`, whose bound is
///   `gain * sqrt(3 / fan_in)` with `gain = sqrt(2 / (1 + a^2)) = sqrt(1 / 3)`, i.e.
///   `W ~ U(-1 / sqrt(fan_in), +1 / sqrt(fan_in))`, and `b ~ U(-1 / sqrt(fan_in), +1 / sqrt(fan_in))`.
///   Published federated settings (the PyTorch MNIST example, Karimireddy, He & Jaggi, ICLR
///   2022) train from it; the default of `cnn` and `layers`.
/// - `xavier`: Glorot & Bengio (2010) uniform, `W ~ U(-sqrt(6 / (fan_in + fan_out)), +...)`,
///   biases 0; the usual choice for tanh/sigmoid networks (Keras' default).
/// - `zeros`: every parameter 0. Natural for convex models (logistic regression, whose
///   default it is); with hidden layers every unit of a layer stays identical, so do not use
///   it there except to study exactly that.
public enum InitScheme: String, CaseIterable, Sendable {
    case he
    case pytorch
    case xavier
    case zeros

    /// The bound `a` of `W ~ U(-a, a)`; `isOutput` marks the last weight layer.
    public func weightBound(fanIn: Int, fanOut: Int, isOutput: Bool) -> Double {
        switch self {
        case .he: return isOutput ? 1 / Double(fanIn).squareRoot() : (6 / Double(fanIn)).squareRoot()
        case .pytorch: return 1 / Double(fanIn).squareRoot()
        case .xavier: return (6 / Double(fanIn + fanOut)).squareRoot()
        case .zeros: return 0
        }
    }

    /// The bound of `b ~ U(-a, a)`, or nil when biases are set to 0 without drawing.
    public func biasBound(fanIn: Int) -> Double? {
        self == .pytorch ? 1 / Double(fanIn).squareRoot() : nil
    }

    /// Fills `weights` with `U(-weightBound, weightBound)` draws in order, then `biases` with
    /// draws (pytorch) or zeros. `zeros` draws nothing (the rng is not advanced).
    public func initialize(weights: UnsafeMutableBufferPointer<Float>, biases: UnsafeMutableBufferPointer<Float>,
                           fanIn: Int, fanOut: Int, isOutput: Bool, rng: inout SeededRNG) {
        if self == .zeros {
            weights.update(repeating: 0)
            biases.update(repeating: 0)
            return
        }
        let bound = weightBound(fanIn: fanIn, fanOut: fanOut, isOutput: isOutput)
        for i in weights.indices { weights[i] = Float((2 * rng.nextDouble() - 1) * bound) }
        if let b = biasBound(fanIn: fanIn) {
            for i in biases.indices { biases[i] = Float((2 * rng.nextDouble() - 1) * b) }
        } else {
            biases.update(repeating: 0)
        }
    }

    /// The scheme's names, for a `.choice` parameter.
    public static var names: [String] { allCases.map(\.rawValue) }
}
