/// One attack group in summary.json.
public struct AttackRecord: Codable, Sendable {
    public var kind: String
    public var clients: [Int]
    public var knowledge: String
    public var startRound: Int
    public var endRound: Int?

    public init(kind: String, clients: [Int], knowledge: String, startRound: Int, endRound: Int? = nil) {
        self.kind = kind
        self.clients = clients
        self.knowledge = knowledge
        self.startRound = startRound
        self.endRound = endRound
    }

    enum CodingKeys: String, CodingKey {
        case kind, clients, knowledge
        case startRound = "start_round", endRound = "end_round"
    }
}
