import FedCore

/// The AGR-tailored attacks of Shejwalkar & Houmansadr ("Manipulating the Byzantine:
/// Optimizing Model Poisoning Attacks and Defenses for Federated Learning", NDSS 2021,
/// section IV-B), one per kind of rule, as the authors wrote them: every attacker sends
///
///     m(γ) = μ − γ·p
///
/// (μ the mean of the honest updates the attackers know, p a perturbation direction), with γ
/// chosen against the server's own rule, run as a black box (`AttackInput.oracle`):
///
/// - **Selection** (rules that keep some updates and drop others: Krum, Multi-Krum, Bulyan's
///   selection set, and any registered rule whose decisions drop rows): the largest γ for
///   which the rule still keeps the malicious updates, i.e. at least min(c, k) of the c
///   malicious rows among the k the rule keeps (Krum keeps one: it must be malicious; Multi-Krum
///   keeps n − f: all c). The authors' search: γ = γ0, s = γ0, γ_ok = 0; while |γ_ok − γ| > tol
///   { if kept(γ) { γ_ok = γ; γ += s/2 } else { γ −= s/2 }; s /= 2 }.
/// - **Deviation** (rules that keep every update: median, trimmed mean, the mean, geometric
///   median, ...): γ maximises ‖AGR(B ∪ {m(γ)} × c) − μ‖, the search of `Adaptive`.
///
/// `objective: auto` decides by probing the rule once with γ = 0 (c copies of μ among the
/// honest rows): selection if it drops any row, deviation otherwise. Directions: `unit`
/// (μ/‖μ‖, the authors' default), `std` (coordinate standard deviation of the honest rows,
/// ddof 1), `sign` (sign(μ)); `all` tries each and keeps the one whose aggregate lands
/// farthest from μ. Cost: about log₂(γ0/tol) aggregations per direction (17 at the defaults).
///
/// Next to `adaptive` (the deviation objective for every rule, with a `mean` direction too),
/// this is the per-rule form of the paper: against Krum the selection constraint finds the
/// update Krum takes, where the deviation search may stop at a γ Krum drops.
public struct AGRTailored: ModelAttack, Equatable {
    public enum Objective: String, Sendable, Equatable, CaseIterable { case auto, selection, deviation }

    /// The directions searched, in this order (ties: the first wins).
    public let directions: [Adaptive.Direction]
    public let objective: Objective
    /// γ0 (default 5, as the authors' released Multi-Krum and trimmed-mean code).
    public let initialGamma: Double
    /// Stopping tolerance on γ (the authors' 1e-5).
    public let tolerance: Double
    public var name: String { "agr-tailored" }
    public var needsCollusion: Bool { true }

    public init(directions: [Adaptive.Direction] = [.unit], objective: Objective = .auto,
                initialGamma: Double = 5, tolerance: Double = 1e-5) throws {
        guard !directions.isEmpty else { throw AttackError.parameter(attack: "agr-tailored", message: "no direction to search") }
        try requireFinite(initialGamma, "initial gamma", attack: "agr-tailored", positive: true)
        try requireFinite(tolerance, "tolerance", attack: "agr-tailored", positive: true)
        self.directions = directions
        self.objective = objective
        self.initialGamma = initialGamma
        self.tolerance = tolerance
    }

    /// The search's answer for one direction.
    public struct Candidate: Sendable, Equatable {
        public let direction: Adaptive.Direction
        public let objective: Objective
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
    public func search(benign: UpdateMatrix, attackers c: Int, oracle: AggregationOracle) throws -> Candidate {
        let mu = meanRowDouble(benign)
        let chosen = try objective == .auto ? probe(mu: mu, benign: benign, attackers: c, oracle: oracle) : objective
        var best: Candidate?
        for direction in directions {
            let candidate: Candidate
            if chosen == .selection {
                candidate = try selectionSearch(direction, mu: mu, benign: benign, attackers: c, oracle: oracle)
            } else {
                let search = try Adaptive(directions: [direction], initialGamma: initialGamma, tolerance: tolerance)
                let a = try search.search(direction, mu: mu, benign: benign, attackers: c, oracle: oracle)
                candidate = Candidate(direction: direction, objective: .deviation, gamma: a.gamma, deviation: a.deviation,
                                      update: a.update)
            }
            if best == nil || candidate.deviation > best!.deviation { best = candidate }
        }
        return best!
    }

    /// Selection when the rule drops a row of the honest updates plus c copies of μ.
    func probe(mu: [Double], benign: UpdateMatrix, attackers c: Int, oracle: AggregationOracle) throws -> Objective {
        let outcome = try oracle.decide(AggregationOracle.round(mu.map { Float($0) }, copies: c, benign: benign))
        return outcome.selected.contains(false) ? .selection : .deviation
    }

    func selectionSearch(_ direction: Adaptive.Direction, mu: [Double], benign: UpdateMatrix, attackers c: Int,
                         oracle: AggregationOracle) throws -> Candidate {
        let p = try Adaptive(directions: [direction]).vector(direction, mu: mu, benign: benign)
        let d = mu.count
        func malicious(_ g: Double) -> [Float] { (0..<d).map { Float(mu[$0] - g * p[$0]) } }
        func kept(_ m: [Float]) throws -> Bool {
            let selected = try oracle.decide(AggregationOracle.round(m, copies: c, benign: benign)).selected
            let keptMalicious = selected.prefix(c).filter { $0 }.count
            return keptMalicious >= min(c, selected.filter { $0 }.count) && keptMalicious > 0
        }
        var gamma = initialGamma, step = initialGamma, ok = 0.0
        var iterations = 0
        while abs(ok - gamma) > tolerance && iterations < 200 {
            iterations += 1
            if try kept(malicious(gamma)) {
                ok = gamma
                gamma += step / 2
            } else {
                gamma -= step / 2
            }
            step /= 2
        }
        let m = malicious(ok)
        let agg = try oracle.aggregate(AggregationOracle.round(m, copies: c, benign: benign))
        var s = 0.0
        for j in 0..<d { let e = Double(agg[j]) - mu[j]; s += e * e }
        return Candidate(direction: direction, objective: .selection, gamma: ok, deviation: s.squareRoot(), update: m)
    }
}

extension AGRTailored {
    public static let descriptor = AttackDescriptor(
        name: "agr-tailored",
        summary: "mu minus gamma times a direction, gamma the largest the server's rule still selects (Krum, Multi-Krum, Bulyan) or the one moving its aggregate farthest (median, trimmed mean) (Shejwalkar & Houmansadr, NDSS 2021)",
        parameters: [
            Parameter("direction", .choice(["unit", "std", "sign", "all"]), default: .word("unit"),
                      doc: "perturbation: unit (mu/|mu|, the authors' default), std, sign, or all (the worst for the defence)"),
            Parameter("objective", .choice(["auto", "selection", "deviation"]), default: .word("auto"),
                      doc: "selection: the largest gamma still selected; deviation: the farthest aggregate; auto: selection when the rule drops rows"),
            Parameter("gamma_init", .number(.greaterThan(0)), default: .number(5), doc: "first gamma of the search (the search never passes twice this)"),
            Parameter("tolerance", .number(.greaterThan(0)), default: .number(1e-5), doc: "the search stops when gamma moves less than this"),
        ],
        role: .model { values in
            let word = values.word("direction")
            let directions: [Adaptive.Direction] = word == "all" ? [.unit, .std, .sign] : [Adaptive.Direction(rawValue: word) ?? .unit]
            return try AGRTailored(directions: directions, objective: Objective(rawValue: values.word("objective")) ?? .auto,
                                   initialGamma: values.double("gamma_init"), tolerance: values.double("tolerance"))
        },
        needsHub: true)
}
