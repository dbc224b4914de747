/// The columns of rounds.csv: one row per round, written by the coordinator after the round,
/// read back by the reports. The figures a run's defence reports (its rule's, and DP's) sit
/// between the detection columns and `epsilon`; `columns(figures:)` gives a run's whole list.
public enum RoundsColumns {
    public static let round = Column("round", .integer, doc: "the round, from 1")
    public static let testAccuracy = Column("test_accuracy", .number, unit: "fraction", doc: "share of the test set the global model classifies correctly after the round")
    public static let testLoss = Column("test_loss", .number, unit: "nats", doc: "mean cross-entropy of the global model on the test set")
    public static let trainLoss = Column("train_loss", .number, unit: "nats", doc: "the clients' reported mean training losses, weighted by their sample counts")
    public static let attackSuccessRate = Column("attack_success_rate", .number,
                                                 unit: "fraction", doc: "the attack's success metric on the global model (summary.json's attack_metric); empty when no attack has one")
    public static let sampled = Column("sampled", .integer, unit: "clients", doc: "clients sampled this round")
    public static let received = Column("received", .integer, unit: "updates", doc: "valid updates accepted")
    public static let rejected = Column("rejected", .integer, unit: "messages", doc: "messages refused (malformed, stale, unauthorised, ...)")
    public static let rejectReasons = Column("reject_reasons", .text, doc: "refusals by reason code, reason:count separated by ;")
    public static let maliciousSampled = Column("malicious_sampled", .integer, unit: "clients", doc: "ground truth: attacking clients among the sampled")
    public static let maliciousReceived = Column("malicious_received", .integer, unit: "updates", doc: "ground truth: their updates accepted")
    public static let maliciousSelected = Column("malicious_selected", .integer,
                                                 unit: "updates", doc: "malicious updates the rule let into the aggregate; empty when the rule makes no per-client decision")
    public static let honestExcluded = Column("honest_excluded", .integer, unit: "updates", doc: "honest updates the rule kept out")
    public static let detectionTPR = Column("detection_tpr", .number, unit: "fraction", doc: "share of the malicious updates kept out")
    public static let detectionFPR = Column("detection_fpr", .number, unit: "fraction", doc: "share of the honest updates kept out")
    public static let detectionPrecision = Column("detection_precision", .number, unit: "fraction", doc: "share of the updates kept out that were malicious; empty when the rule kept none out")
    public static let maliciousWeight = Column("malicious_weight", .number, unit: "fraction", doc: "summed weight of the malicious updates in the aggregate (0 to 1)")
    public static let epsilon = Column("epsilon", .number, unit: "ε at delta", doc: "privacy spent so far at the scenario's delta, when the accountant's guarantee holds")
    public static let applied = Column("applied", .flag, doc: "1 when the global model was updated this round")
    public static let note = Column("note", .text, doc: "why the global model was not updated, when it was not")
    public static let aggregationMs = Column("aggregation_ms", .number, unit: "ms", digits: 4, doc: "time spent aggregating")
    public static let roundMs = Column("round_ms", .number, unit: "ms", digits: 4, doc: "wall time of the whole round")

    /// The figures every run writes, whatever its rule (empty when the rule does not report them).
    public static let standardFigures: [Column] = [
        .figure("f_estimate", doc: "the estimate of f when f is auto (docs/ALGORITHMS.md section 9)"),
        .figure("f_used", doc: "f the rule ran with this round"),
        .figure("clipped_fraction", doc: "share of updates clipped or scaled down by the rule or by DP"),
    ]

    static let leading: [Column] = [round, testAccuracy, testLoss, trainLoss, attackSuccessRate, sampled, received, rejected,
                                    rejectReasons, maliciousSampled, maliciousReceived, maliciousSelected, honestExcluded,
                                    detectionTPR, detectionFPR, detectionPrecision, maliciousWeight]
    static let trailing: [Column] = [epsilon, applied, note, aggregationMs, roundMs]

    /// rounds.csv's columns for a run whose defence reports `figures` (beyond the standard ones).
    public static func columns(figures: [Column] = []) -> TableSchema {
        TableSchema(leading + standardFigures + figures + trailing)
    }
}

/// The columns of clients.csv: one row per logical client per round.
public enum ClientsColumns {
    public static let round = Column("round", .integer, doc: "the round, from 1")
    public static let client = Column("client", .integer, doc: "the client's id")
    public static let malicious = Column("malicious", .flag, doc: "ground truth: the client attacked this round")
    public static let sampled = Column("sampled", .flag, doc: "sampled this round")
    public static let responded = Column("responded", .flag, doc: "its update was accepted")
    public static let samples = Column("samples", .integer, unit: "samples", doc: "its local sample count (the aggregation weight)")
    public static let updateNorm = Column("update_norm", .number, unit: "L2", doc: "L2 norm of its update")
    public static let trainLoss = Column("train_loss", .number, unit: "nats", doc: "its reported mean training loss")
    public static let selected = Column("selected", .flag, doc: "the rule let its update into the aggregate (after bucketing or nnm: a bucket or mixed row holding it)")
    public static let weight = Column("weight", .number, unit: "fraction", doc: "its share of the aggregate (weights sum to 1; mapped back through bucketing and nnm)")
    public static let score = Column("score", .number, doc: "the rule's score of its update, or of its bucket or mixed row (Krum score, trust, alpha, distance)")
    public static let clipped = Column("clipped", .flag, doc: "its update was scaled down by clipping")
    public static let fault = Column("fault", .text, doc: "ground truth of an injected fault: dropout, straggler or empty")

    public static let schema = TableSchema([round, client, malicious, sampled, responded, samples, updateNorm, trainLoss,
                                            selected, weight, score, clipped, fault])
}
