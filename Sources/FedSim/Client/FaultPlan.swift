import FedCore
#if canImport(Glibc)
import Glibc
#endif

/// The faults the scenario injects: whether a sampled client drops out of a round or answers
/// late, and by how much. Derived from (seed, round, client), so the client processes (which
/// act on it) and the coordinator (which records it as ground truth) agree.
public struct FaultPlan: Sendable {
    public enum Fault: Equatable, Sendable {
        case none
        case dropout
        case straggler(delay: Double)

        var label: String {
            switch self {
            case .none: return ""
            case .dropout: return "dropout"
            case .straggler: return "straggler"
            }
        }
    }

    public let config: FaultsConfig
    private let seed: UInt64

    public init(_ scenario: Scenario) {
        config = scenario.faults
        seed = scenario.seed
    }

    public func fault(client: Int, round: Int) -> Fault {
        guard !config.isEmpty else { return .none }
        var rng = SeededRNG(seed: seed).derive("fault", round, client)
        if rng.nextDouble() < config.dropout { return .dropout }
        guard rng.nextDouble() < config.straggler else { return .none }
        switch config.distribution {
        case .fixed: return .straggler(delay: config.delay)
        case .uniform: return .straggler(delay: 2 * config.delay * rng.nextDouble())
        case .exponential:
            var u = rng.nextDouble()
            while u <= 0 { u = rng.nextDouble() }
            return .straggler(delay: -config.delay * log(u))
        }
    }
}
