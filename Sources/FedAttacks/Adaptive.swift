import FedCore

/// An attacker that adapts to the defence it faces (the AGR-tailored attacks of Shejwalkar &
/// Houmansadr, NDSS 2021, made generic): it runs the server's own rule as a black box
/// (`AttackInput.oracle`) and searches, for each perturbation direction p, the scale γ whose
/// malicious update m(γ) = μ − γ·p, sent by every attacker, moves the aggregate farthest
/// from the honest mean μ:
///
///     L(γ) = ‖ AGR(B ∪ {m(γ)} × f) − μ ‖
///
/// with the authors' search (their released AGR-tailored code): γ = γ0, s = γ0; repeat
/// { L = L(γ); if L > L_prev { γ_ok = γ; γ += s/2 } else { γ −= s/2 }; s /= 2; L_prev = L }
/// while |γ_ok − γ| > tol. Directions (`direction: all` tries each and keeps the one with the
/// largest L(γ_ok)): `std` (the honest coordinate standard deviation, ddof 1), `sign`
/// (sign(μ)), `unit` (μ/‖μ‖) and `mean` (μ itself: m = (1 − γ)μ, a scaled or reversed mean as
/// in inner-product manipulation). B = the honest updates the attackers know (`benign`:
/// every honest update when omniscient, their own honest ones when colluding), μ their mean,
/// f the attackers this round. Without an oracle it cannot tailor and refuses (the hub then
/// sends the honest updates). Cost: about 4·log₂(γ0/tol) aggregations per round.
public struct Adaptive: ModelAttack, Equatable {
    public enum Direction: String, Sendable, Equatable, CaseIterable { case std, sign, unit, mean }

    /// The directions searched, in this order (ties: the first wins).
    public let directions: [Direction]
    /// γ0 (default 10, as the authors).
    public let initialGamma: Double
    /// Stopping tolerance on γ.
    public let tolerance: Double
    public var name: String { "adaptive" }
    public var needsCollusion: Bool { true }

    public init(directions: [Direction] = Direction.allCases, initialGamma: Double = 10, tolerance: Double = 1e-4) throws {
        guard !directions.isEmpty else { throw AttackError.parameter(attack: "adaptive", message: "no direction to search") }
        try requireFinite(initialGamma, "initial gamma", attack: "adaptive", positive: true)
        try requireFinite(tolerance, "tolerance", attack: "adaptive", positive: true)
        self.directions = directions
        self.initialGamma = initialGamma
        self.tolerance = tolerance
    }

    /// The result of the search for one direction.
    public struct Candidate: Sendable, Equatable {
        public let direction: Direction
        public let gamma: Double
        /// ‖AGR − μ‖ at γ.
        public let deviation: Double
        public let update: [Float]
    }

    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix {
        let oracle = try input.requireOracle(attack: name)
        return input.everyAttackerSends(try search(benign: input.benign, attackers: max(1, input.own.rows), oracle: oracle).update)
    }

    /// Every direction's candidate, and the best (largest deviation; ties: the first direction).
    public func search(benign: UpdateMatrix, attackers f: Int, oracle: AggregationOracle) throws -> Candidate {
        let mu = meanRowDouble(benign)
        var best: Candidate?
        for direction in directions {
            let c = try search(direction, mu: mu, benign: benign, attackers: f, oracle: oracle)
            if best == nil || c.deviation > best!.deviation { best = c }
        }
        return best!
    }

    func search(_ direction: Direction, mu: [Double], benign: UpdateMatrix, attackers f: Int,
                oracle: AggregationOracle) throws -> Candidate {
        let p = vector(direction, mu: mu, benign: benign)
        let d = mu.count
        func malicious(_ g: Double) -> [Float] { (0..<d).map { Float(mu[$0] - g * p[$0]) } }
        func loss(_ m: [Float]) throws -> Double {
            let agg = try oracle.aggregate(AggregationOracle.round(m, copies: f, benign: benign))
            var s = 0.0
            for j in 0..<d { let e = Double(agg[j]) - mu[j]; s += e * e }
            return s.squareRoot()
        }
        var gamma = initialGamma, step = initialGamma, ok = 0.0, previous = -1.0
        var iterations = 0
        while abs(ok - gamma) > tolerance && iterations < 200 {
            iterations += 1
            let l = try loss(malicious(gamma))
            if previous < l {
                ok = gamma
                gamma += step / 2
            } else {
                gamma -= step / 2
            }
            step /= 2
            previous = l
        }
        let m = malicious(ok)
        return Candidate(direction: direction, gamma: ok, deviation: try loss(m), update: m)
    }

    func vector(_ direction: Direction, mu: [Double], benign: UpdateMatrix) -> [Double] {
        switch direction {
        case .std: return Deviation.std.vector(benign: benign, mean: mu)
        case .sign: return Deviation.sign.vector(benign: benign, mean: mu)
        case .unit: return Deviation.unit.vector(benign: benign, mean: mu)
        case .mean: return mu
        }
    }
}

extension Adaptive {
    public static let descriptor = AttackDescriptor(
        name: "adaptive",
        summary: "runs the server's own rule as a black box and searches the scaled direction that moves its aggregate farthest from the honest mean (the AGR-tailored attacks of Shejwalkar & Houmansadr, NDSS 2021, for any rule)",
        parameters: [
            Parameter("direction", .choice(["all", "std", "sign", "unit", "mean"]), default: .word("all"),
                      doc: "perturbation searched: every one (keeping the worst for the defence), or one of them"),
            Parameter("gamma_init", .number(.greaterThan(0)), default: .number(10), doc: "first gamma of the search"),
            Parameter("tolerance", .number(.greaterThan(0)), default: .number(1e-4), doc: "the search stops when gamma moves less than this"),
        ],
        role: .model { values in
            let word = values.word("direction")
            return try Adaptive(directions: word == "all" ? Direction.allCases : [Direction(rawValue: word) ?? .std],
                                initialGamma: values.double("gamma_init"), tolerance: values.double("tolerance"))
        },
        needsHub: true)
}
