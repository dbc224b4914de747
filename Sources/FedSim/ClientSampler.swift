import FedCore

/// Which clients take part in a round: `max(1, round(fraction · N))` of the N, drawn with the
/// scenario seed, in id order. Independent of who is connected, so a run is reproducible, and
/// every process (coordinator, clients, adversary hub) computes the same set.
public struct ClientSampler: Sendable {
    public let clients: Int
    public let perRound: Int
    public let seed: UInt64

    public init(_ scenario: Scenario) {
        clients = scenario.federation.clients
        perRound = max(1, min(clients, Int((scenario.federation.fraction * Double(clients)).rounded())))
        seed = scenario.seed
    }

    /// The sampled client ids of round `r` (1-based), sorted.
    public func sample(round r: Int) -> [Int] {
        if perRound == clients { return Array(0..<clients) }
        var rng = SeededRNG(seed: seed).derive("sample", r)
        return rng.sample(perRound, from: clients).sorted()
    }
}
