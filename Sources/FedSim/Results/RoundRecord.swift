import FedEval
import FedResults

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
    /// The threat evaluations' figures (`evaluate:`), on the rounds evaluated; empty otherwise.
    public var evaluations: [String: Double] = [:]
    /// Their images (reconstructions), for evaluation.json and the report; not in rounds.csv.
    public var panels: [ImagePanel] = []

    /// rounds.csv's header for a defence that reports only the standard figures.
    static var csvHeader: [String] { RoundsColumns.columns().header }

    /// The round as a row of rounds.csv, by column (`RoundsColumns`); each figure of the rule
    /// goes to the column of its name, which the run's schema declares.
    var row: ResultRow {
        typealias C = RoundsColumns
        var r = ResultRow()
        r.set(C.round, round)
        r.set(C.testAccuracy, testAccuracy)
        r.set(C.testLoss, testLoss)
        r.set(C.trainLoss, trainLoss)
        r.set(C.attackSuccessRate, attackSuccessRate)
        r.set(C.sampled, sampled)
        r.set(C.received, received)
        r.set(C.rejected, rejected)
        r.set(C.rejectReasons, rejectReasons.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ";"))
        r.set(C.maliciousSampled, maliciousSampled)
        r.set(C.maliciousReceived, maliciousReceived)
        r.set(C.maliciousSelected, detection?.maliciousSelected)
        r.set(C.honestExcluded, detection?.honestExcluded)
        r.set(C.detectionTPR, detection?.truePositiveRate)
        r.set(C.detectionFPR, detection?.falsePositiveRate)
        r.set(C.detectionPrecision, detection?.precision)
        r.set(C.maliciousWeight, detection?.maliciousWeight)
        for (name, value) in figures { r.set(Column.figure(name, doc: ""), value) }
        for (name, value) in evaluations { r.set(Column.figure(name, doc: ""), value) }
        r.set(C.epsilon, epsilon)
        r.set(C.applied, applied)
        r.set(C.note, note)
        r.set(C.aggregationMs, aggregationMilliseconds)
        r.set(C.roundMs, roundMilliseconds)
        return r
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

    static var csvHeader: [String] { ClientsColumns.schema.header }

    /// The client's row of clients.csv, by column (`ClientsColumns`); the training figures
    /// only when it responded, the decision only when the rule made one.
    var row: ResultRow {
        typealias C = ClientsColumns
        var r = ResultRow()
        r.set(C.round, round)
        r.set(C.client, client)
        r.set(C.malicious, malicious)
        r.set(C.sampled, sampled)
        r.set(C.responded, responded)
        r.set(C.samples, responded ? samples : nil)
        r.set(C.updateNorm, responded ? updateNorm : nil)
        r.set(C.trainLoss, responded ? trainLoss : nil)
        r.set(C.selected, decision?.selected)
        r.set(C.weight, decision?.weight)
        r.set(C.score, decision?.score)
        r.set(C.clipped, decision?.clipped)
        r.set(C.fault, fault)
        return r
    }
}
