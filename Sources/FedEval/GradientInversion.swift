import FedCore
import Foundation

/// The optimisation attacks on one observed update: find dummy inputs x whose simulated
/// update matches the observed one, with the labels fixed beforehand (`LabelRecovery`).
///
///     x* = argmin_x  D(U(x), U*) + α · mean_i TV(x_i)
///
/// - DLG (Zhu, Liu & Han, NeurIPS 2019): `D` = squared L2 distance, no prior (α = 0), inputs
///   unconstrained, minimised with L-BFGS as the paper (`LBFGS`, `iterations` iterations) or
///   with Adam on the raw gradient (`optimizer: adam`).
/// - Inverting Gradients (Geiping et al., NeurIPS 2020): `D` = cosine distance, α = `tv`,
///   Adam on the sign of the gradient, inputs clamped to the valid range after every step
///   (their `signed=True, boxed=True`).
///
/// Both start from `N(0, 1)` inputs (their `init='randn'`); Adam runs `iterations` steps
/// (β = (0.9, 0.999), ε = 1e-8) with the learning rate cut by 10 at 3/8, 5/8 and 7/8 of the
/// iterations (Geiping's MultiStepLR), and of `restarts` runs keep the one with the least
/// final objective. Each step costs 3 backward passes per local step (`SimulatedUpdate`).
public struct GradientInversion: Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case dlg
        case invertingGradients = "inverting-gradients"

        public var matching: GradientMatching { self == .dlg ? .l2 : .cosine }
    }

    /// DLG's optimiser (Inverting Gradients always uses signed Adam).
    public enum Optimizer: String, Sendable, CaseIterable {
        case lbfgs
        case adam
    }

    public let method: Method
    public let iterations: Int
    public let learningRate: Double
    /// α, the total-variation weight (Inverting Gradients only).
    public let tv: Double
    public let restarts: Int
    public let optimizer: Optimizer

    public init(method: Method, iterations: Int, learningRate: Double, tv: Double, restarts: Int,
                optimizer: Optimizer = .lbfgs) {
        precondition(iterations >= 0 && learningRate > 0 && tv >= 0 && restarts >= 1,
                     "GradientInversion: iterations \(iterations), lr \(learningRate), tv \(tv), restarts \(restarts)")
        self.method = method
        self.iterations = iterations
        self.learningRate = learningRate
        self.tv = tv
        self.restarts = restarts
        self.optimizer = optimizer
    }

    /// The reconstruction (`batchSize x inputDimension`) and its objective.
    public func reconstruct(_ simulator: SimulatedUpdate, target: [Float], domain: InputDomain, shape: [Int],
                            rng: SeededRNG) -> (inputs: [Float], objective: Double) {
        var best: (inputs: [Float], objective: Double) = ([], .infinity)
        for r in 0..<restarts {
            var draws = rng.derive("restart", r)
            let x0 = (0..<(simulator.batchSize * domain.dimension)).map { _ in Float(draws.nextGaussian()) }
            let run = optimise(simulator, target: target, start: x0, domain: domain, shape: shape)
            if best.inputs.isEmpty || run.objective < best.objective { best = run }
        }
        return best
    }

    /// One run from `start`.
    public func optimise(_ simulator: SimulatedUpdate, target: [Float], start: [Float], domain: InputDomain,
                         shape: [Int]) -> (inputs: [Float], objective: Double) {
        if method == .dlg && optimizer == .lbfgs {
            var derivative = [Float](repeating: 0, count: target.count)
            let run = LBFGS(iterations: iterations).minimize(start: start, value: { x in
                self.objective(simulator.update(x), target: target, derivative: &derivative, x: x, shape: shape, alpha: 0)
            }, valueAndGradient: { x in
                let value = self.objective(simulator.update(x), target: target, derivative: &derivative, x: x, shape: shape, alpha: 0)
                return (value, simulator.inputGradient(x, direction: derivative))
            })
            return (run.x, run.value)
        }
        let boxed = method == .invertingGradients
        let signed = method == .invertingGradients
        let alpha = method == .invertingGradients ? tv : 0
        var x = start
        if boxed { x.withUnsafeMutableBufferPointer { domain.clamp($0) } }
        let n = x.count
        var m = [Float](repeating: 0, count: n), v = m
        var derivative = [Float](repeating: 0, count: target.count)
        let (b1, b2, eps): (Double, Double, Double) = (0.9, 0.999, 1e-8)
        let milestones = [3, 5, 7].map { iterations * $0 / 8 }
        var lr = learningRate
        for t in 0..<iterations {
            if milestones.contains(t) && t > 0 { lr *= 0.1 }
            let u = simulator.update(x)
            _ = objective(u, target: target, derivative: &derivative, x: x, shape: shape, alpha: alpha)
            var g = simulator.inputGradient(x, direction: derivative)
            if alpha > 0 { addTV(x, shape: shape, alpha: alpha, into: &g) }
            let c1 = 1 - pow(b1, Double(t + 1)), c2 = 1 - pow(b2, Double(t + 1))
            let step = Float(lr / c1)
            let root = Float(c2.squareRoot())
            for j in 0..<n {
                let gj = signed ? (g[j] > 0 ? 1 : (g[j] < 0 ? -1 : 0)) : g[j]
                m[j] = Float(b1) * m[j] + Float(1 - b1) * gj
                v[j] = Float(b2) * v[j] + Float(1 - b2) * gj * gj
                x[j] -= step * m[j] / ((v[j].squareRoot() / root) + Float(eps))
            }
            if boxed { x.withUnsafeMutableBufferPointer { domain.clamp($0) } }
        }
        let u = simulator.update(x)
        let value = objective(u, target: target, derivative: &derivative, x: x, shape: shape, alpha: alpha)
        return (x, value)
    }

    /// `D(U, U*) + α mean_i TV(x_i)`, with `dD/dU` in `derivative`.
    func objective(_ u: [Float], target: [Float], derivative: inout [Float], x: [Float], shape: [Int], alpha: Double) -> Double {
        let d = u.withUnsafeBufferPointer { up in
            target.withUnsafeBufferPointer { tp in
                derivative.withUnsafeMutableBufferPointer { method.matching.value(up, target: tp, derivative: $0) }
            }
        }
        guard alpha > 0 else { return d }
        let size = shape.reduce(1, *)
        let count = x.count / size
        var tvSum = 0.0
        x.withUnsafeBufferPointer { xp in
            for i in 0..<count {
                tvSum += Double(TotalVariation.value(UnsafeBufferPointer(rebasing: xp[(i * size)..<((i + 1) * size)]), shape: shape))
            }
        }
        return d + alpha * tvSum / Double(count)
    }

    /// Adds `α/B · ∇ TV(x_i)` for every sample i to `g`.
    func addTV(_ x: [Float], shape: [Int], alpha: Double, into g: inout [Float]) {
        let size = shape.reduce(1, *)
        let count = x.count / size
        let scale = Float(alpha / Double(count))
        x.withUnsafeBufferPointer { xp in
            g.withUnsafeMutableBufferPointer { gp in
                for i in 0..<count {
                    let range = (i * size)..<((i + 1) * size)
                    TotalVariation.value(UnsafeBufferPointer(rebasing: xp[range]), shape: shape,
                                         addingGradientTo: UnsafeMutableBufferPointer(rebasing: gp[range]), scale: scale)
                }
            }
        }
    }
}
