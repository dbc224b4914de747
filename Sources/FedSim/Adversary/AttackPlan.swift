import FedCore

/// Who is malicious: the clients of each attack group, chosen with the scenario seed.
///
/// Every process derives the same plan from the same scenario. The coordinator uses it only
/// to write the ground truth into the results (evaluation); its aggregation never sees it.
public struct AttackPlan: Sendable {
    public let groups: [AttackGroupConfig]
    /// Client ids of each group, sorted.
    public let members: [[Int]]
    private let groupOfClient: [Int: Int]

    public init(_ scenario: Scenario) {
        groups = scenario.attacks
        let n = scenario.federation.clients
        var order = Array(0..<n)
        var rng = SeededRNG(seed: scenario.seed).derive("malicious")
        rng.shuffle(&order)
        var members: [[Int]] = []
        var next = 0
        for g in groups {
            let count = min(g.malicious.count(of: n), n - next)
            members.append(order[next..<(next + count)].sorted())
            next += count
        }
        self.members = members
        var map: [Int: Int] = [:]
        for (gi, ids) in members.enumerated() { for id in ids { map[id] = gi } }
        groupOfClient = map
    }

    /// The group client `id` belongs to, or nil for an honest client.
    public func group(of id: Int) -> Int? { groupOfClient[id] }

    /// The group of `id` when it attacks in round `r` (its group's window covers `r`).
    public func activeGroup(of id: Int, round r: Int) -> Int? {
        guard let g = groupOfClient[id], groups[g].isActive(round: r) else { return nil }
        return g
    }

    /// Every malicious client id (any group), sorted.
    public var allMalicious: [Int] { groupOfClient.keys.sorted() }

    /// True when some group needs the adversary hub (colluding attacks).
    public var needsHub: Bool { groups.contains { $0.descriptor.needsHub } }

    /// True when some hub group is omniscient: the coordinator then forwards every update it
    /// receives to the hub (a simulation-only switch, recorded in the results).
    public var needsTap: Bool { groups.contains { $0.descriptor.needsHub && $0.knowledge == .omniscient } }
}
