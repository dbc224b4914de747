/// A worker's momentum buffer kept across rounds (Karimireddy, He & Jaggi, "Learning from
/// History for Byzantine Robust Optimization", ICML 2021; and "Byzantine-Robust Learning on
/// Heterogeneous Datasets via Bucketing", ICLR 2022). Each honest worker `i` sends its buffer
/// instead of its fresh step, and the server aggregates the buffers:
///
///     m_i <- beta * m_i + s_i                 (dampening off: the ICLR 2022 code's form)
///     m_i <- beta * m_i + (1 - beta) * s_i    (dampening on: the ICML 2021 paper's form)
///
/// with `m_i` starting at zero, so the first buffer is `s_i` (`(1 - beta) * s_i` with
/// dampening). The ICML paper defines the exponential average with `(1 - beta)`; the released
/// code of both papers (github.com/epfml/byzantine-robust-noniid-optimizer, `MomentumWorker`)
/// starts the buffer at the first gradient and adds `beta * m + g`, PyTorch's SGD momentum
/// without dampening. The two differ by the factor `1 - beta` on every buffer, which only
/// rescales the step (and the absolute thresholds of rules such as centered clipping).
///
/// `beta == 0` is plain SGD: the step is sent as it is and no buffer is kept. The arithmetic
/// is `beta * m[i] + s[i]`, the same expression as `SGD.step`'s `mu * v[i] + g[i]`, so one
/// worker with this buffer steps bit for bit like centralised SGD with momentum `beta`.
public struct WorkerMomentum: Sendable, Equatable {
    /// `beta` in [0, 1).
    public let beta: Float
    /// Multiply the new step by `1 - beta` (the ICML 2021 form).
    public let dampening: Bool

    public init(beta: Float, dampening: Bool = false) {
        precondition(beta >= 0 && beta < 1, "WorkerMomentum: beta must be in [0, 1); got \(beta)")
        self.beta = beta
        self.dampening = dampening
    }

    /// Whether a buffer is kept at all (`beta > 0`).
    public var keepsBuffer: Bool { beta > 0 }

    /// The new buffer from the previous one (`nil`: none yet, i.e. zeros) and this round's step.
    public func accumulate(_ buffer: [Float]?, step: [Float]) -> [Float] {
        guard beta > 0 else { return step }
        let scale = 1 - beta
        guard let buffer else {
            return dampening ? step.map { scale * $0 } : step.map { beta * 0 + $0 }
        }
        precondition(buffer.count == step.count,
                     "WorkerMomentum: buffer of \(buffer.count) values for a step of \(step.count)")
        var out = [Float](repeating: 0, count: step.count)
        if dampening {
            for i in 0..<step.count { out[i] = beta * buffer[i] + scale * step[i] }
        } else {
            for i in 0..<step.count { out[i] = beta * buffer[i] + step[i] }
        }
        return out
    }
}
