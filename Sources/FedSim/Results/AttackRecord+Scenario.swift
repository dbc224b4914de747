import FedResults

extension AttackRecord {
    /// The record of one attack group of the scenario and the clients it took.
    public init(_ group: AttackGroupConfig, clients: [Int]) {
        self.init(kind: group.kind, clients: clients, knowledge: group.knowledge.rawValue,
                  startRound: group.startRound, endRound: group.endRound)
    }
}
