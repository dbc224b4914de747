/// What happened in one round, as written to rounds.csv and shown by the progress line.
public struct RoundRecord: Sendable {
    public var round: Int
    public var testAccuracy: Double
    public var testLoss: Double
    /// Sample-weighted mean of the clients' reported training losses (NaN when none).
    public var trainLoss: Double
    public var sampled: Int
    public var received: Int
    public var rejected: Int
    /// Rejections by reason code ("stale_round" -> 2), in a stable order.
    public var rejectReasons: [String: Int]
    /// Whether the global model was updated this round.
    public var applied: Bool
    public var aggregationMilliseconds: Double
    public var roundMilliseconds: Double
    /// The attack's success rate on the global model after this round (nil: no such metric).
    public var attackSuccessRate: Double?
    /// Ground truth, for evaluation only: malicious clients sampled, and their updates accepted.
    public var maliciousSampled: Int
    public var maliciousReceived: Int
    public var clients: [ClientRecord]

    static let csvHeader = ["round", "test_accuracy", "test_loss", "train_loss", "attack_success_rate", "sampled",
                            "received", "rejected", "reject_reasons", "malicious_sampled", "malicious_received",
                            "applied", "aggregation_ms", "round_ms"]

    var csvRow: [String] {
        [String(round), fmt(testAccuracy), fmt(testLoss), fmt(trainLoss), attackSuccessRate.map { fmt($0) } ?? "",
         String(sampled), String(received), String(rejected),
         rejectReasons.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ";"),
         String(maliciousSampled), String(maliciousReceived),
         applied ? "1" : "0", fmt(aggregationMilliseconds, 4), fmt(roundMilliseconds, 4)]
    }
}

/// One logical client in one round (clients.csv).
public struct ClientRecord: Sendable {
    public var round: Int
    public var client: Int
    public var sampled: Bool
    public var responded: Bool
    public var samples: Int
    public var updateNorm: Double
    public var trainLoss: Double
    /// Ground truth, for evaluation only: the client attacked in this round.
    public var malicious: Bool = false

    static let csvHeader = ["round", "client", "malicious", "sampled", "responded", "samples", "update_norm", "train_loss"]

    var csvRow: [String] {
        [String(round), String(client), malicious ? "1" : "0", sampled ? "1" : "0", responded ? "1" : "0",
         responded ? String(samples) : "", responded ? fmt(updateNorm) : "", responded ? fmt(trainLoss) : ""]
    }
}
