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
    /// What the rule kept out, against the ground truth (nil when the rule made no decisions).
    public var detection: Detection?
    /// The rule's own figures ("f_estimate", "f_used", "clipped_fraction", ...).
    public var figures: [String: Double] = [:]
    /// Privacy spent so far, when the accountant's epsilon applies to this defense.
    public var epsilon: Double?
    /// Why the global model was not updated, when it was not.
    public var note: String?

    static let csvHeader = ["round", "test_accuracy", "test_loss", "train_loss", "attack_success_rate", "sampled",
                            "received", "rejected", "reject_reasons", "malicious_sampled", "malicious_received",
                            "malicious_selected", "honest_excluded", "detection_tpr", "detection_fpr", "malicious_weight",
                            "f_estimate", "f_used", "clipped_fraction", "epsilon",
                            "applied", "note", "aggregation_ms", "round_ms"]

    var csvRow: [String] {
        let opt: (Double?) -> String = { $0.map { fmt($0) } ?? "" }
        return [String(round), fmt(testAccuracy), fmt(testLoss), fmt(trainLoss), opt(attackSuccessRate),
                String(sampled), String(received), String(rejected),
                rejectReasons.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ";"),
                String(maliciousSampled), String(maliciousReceived),
                detection.map { String($0.maliciousSelected) } ?? "", detection.map { String($0.honestExcluded) } ?? "",
                opt(detection?.truePositiveRate), opt(detection?.falsePositiveRate), opt(detection?.maliciousWeight),
                opt(figures["f_estimate"]), opt(figures["f_used"]), opt(figures["clipped_fraction"]), opt(epsilon),
                applied ? "1" : "0", note ?? "", fmt(aggregationMilliseconds, 4), fmt(roundMilliseconds, 4)]
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
    /// What the aggregation rule decided about this client's update.
    public var decision: Decision?
    /// Ground truth of injected faults: "dropout", "straggler" or empty.
    public var fault: String = ""

    public struct Decision: Sendable {
        public var selected: Bool
        public var weight: Double
        public var score: Double?
        public var clipped: Bool
    }

    static let csvHeader = ["round", "client", "malicious", "sampled", "responded", "samples", "update_norm", "train_loss",
                            "selected", "weight", "score", "clipped", "fault"]

    var csvRow: [String] {
        decisionless + [decision.map { $0.selected ? "1" : "0" } ?? "", decision.map { fmt($0.weight) } ?? "",
                        decision?.score.map { fmt($0) } ?? "", decision.map { $0.clipped ? "1" : "0" } ?? "", fault]
    }

    private var decisionless: [String] {
        [String(round), String(client), malicious ? "1" : "0", sampled ? "1" : "0", responded ? "1" : "0",
         responded ? String(samples) : "", responded ? fmt(updateNorm) : "", responded ? fmt(trainLoss) : ""]
    }
}
