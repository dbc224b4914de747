import Foundation

/// summary.json: the run at a glance.
public struct RunSummary: Codable, Sendable {
    public var name: String
    public var seed: UInt64
    /// "completed", "interrupted" or "failed".
    public var status: String
    public var error: String?
    public var roundsPlanned: Int
    public var roundsCompleted: Int
    public var finalTestAccuracy: Double?
    public var finalTestLoss: Double?
    /// The round after which the global model held non-finite values (status `diverged`).
    public var divergedRound: Int?
    /// Rounds that aggregated fewer updates than clients were sampled (dropouts, stragglers,
    /// refused messages), and rounds that made no update at all (a rule that could not run).
    public var degradedRounds: Int?
    public var roundsWithoutUpdate: Int?
    public var bestTestAccuracy: Double?
    public var updatesReceived: Int
    public var updatesRejected: Int
    public var meanRoundMilliseconds: Double?
    public var wallSeconds: Double
    public var clients: Int
    public var processes: Int
    public var parameters: Int
    public var trainSamples: Int
    public var testSamples: Int
    public var fingerprint: String
    /// Ground truth: each attack group and its clients (evaluation only).
    public var attacks: [AttackRecord]
    /// "backdoor" or "targeted-label-flip" when an attack has a success metric.
    public var attackMetric: String?
    public var finalAttackSuccessRate: Double?
    /// Durability (Zhang et al., ICML 2022): when every attack with a success metric stops
    /// before the last round (`end_round`), the rounds after the last attacking round whose
    /// success rate stayed at or above 0.5, counted until it first fell below; nil otherwise.
    public var attackDurabilityRounds: Int?
    /// Malicious updates the coordinator accepted over the run.
    public var maliciousReceived: Int
    /// The server's aggregation rule (with "dp(...)" when wrapped for privacy).
    public var aggregator: String
    /// Malicious updates the rule let into the aggregate, and the mean detection rates over
    /// the rounds where they are defined.
    public var maliciousSelected: Int?
    public var meanDetectionTPR: Double?
    public var meanDetectionFPR: Double?
    /// The mean over rounds of the share of excluded updates that were malicious, and the mean
    /// false-positive rate of the rounds no malicious update arrived in (what the rule costs
    /// honest clients when nobody attacks).
    public var meanDetectionPrecision: Double?
    public var cleanRoundFPR: Double?
    /// Differential privacy, when configured.
    public var privacy: PrivacyRecord?
    /// The threat evaluations (`evaluate:`): the figures of the last round evaluated (the last
    /// round of a completed run), and that round; nil when nothing was evaluated.
    public var evaluations: [String: Double]?
    public var evaluationRound: Int?

    /// Every field, in declaration order.
    public init(name: String, seed: UInt64, status: String, error: String? = nil, roundsPlanned: Int,
                roundsCompleted: Int, finalTestAccuracy: Double? = nil, finalTestLoss: Double? = nil,
                bestTestAccuracy: Double? = nil, updatesReceived: Int, updatesRejected: Int,
                meanRoundMilliseconds: Double? = nil, wallSeconds: Double, clients: Int, processes: Int,
                parameters: Int, trainSamples: Int, testSamples: Int, fingerprint: String, attacks: [AttackRecord],
                attackMetric: String? = nil, finalAttackSuccessRate: Double? = nil, maliciousReceived: Int,
                aggregator: String, maliciousSelected: Int? = nil, meanDetectionTPR: Double? = nil,
                meanDetectionFPR: Double? = nil, privacy: PrivacyRecord? = nil) {
        self.name = name
        self.seed = seed
        self.status = status
        self.error = error
        self.roundsPlanned = roundsPlanned
        self.roundsCompleted = roundsCompleted
        self.finalTestAccuracy = finalTestAccuracy
        self.finalTestLoss = finalTestLoss
        self.bestTestAccuracy = bestTestAccuracy
        self.updatesReceived = updatesReceived
        self.updatesRejected = updatesRejected
        self.meanRoundMilliseconds = meanRoundMilliseconds
        self.wallSeconds = wallSeconds
        self.clients = clients
        self.processes = processes
        self.parameters = parameters
        self.trainSamples = trainSamples
        self.testSamples = testSamples
        self.fingerprint = fingerprint
        self.attacks = attacks
        self.attackMetric = attackMetric
        self.finalAttackSuccessRate = finalAttackSuccessRate
        self.maliciousReceived = maliciousReceived
        self.aggregator = aggregator
        self.maliciousSelected = maliciousSelected
        self.meanDetectionTPR = meanDetectionTPR
        self.meanDetectionFPR = meanDetectionFPR
        self.privacy = privacy
    }

    enum CodingKeys: String, CodingKey {
        case name, seed, status, error, clients, processes, parameters, fingerprint, attacks
        case attackMetric = "attack_metric", finalAttackSuccessRate = "final_attack_success_rate"
        case attackDurabilityRounds = "attack_durability_rounds"
        case maliciousReceived = "malicious_received", aggregator, privacy, evaluations
        case evaluationRound = "evaluation_round"
        case maliciousSelected = "malicious_selected", meanDetectionTPR = "mean_detection_tpr"
        case meanDetectionFPR = "mean_detection_fpr"
        case meanDetectionPrecision = "mean_detection_precision", cleanRoundFPR = "clean_round_fpr"
        case roundsPlanned = "rounds_planned", roundsCompleted = "rounds_completed"
        case finalTestAccuracy = "final_test_accuracy", finalTestLoss = "final_test_loss", divergedRound = "diverged_round",
             degradedRounds = "degraded_rounds", roundsWithoutUpdate = "rounds_without_update"
        case bestTestAccuracy = "best_test_accuracy", updatesReceived = "updates_received"
        case updatesRejected = "updates_rejected", meanRoundMilliseconds = "mean_round_ms"
        case wallSeconds = "wall_seconds", trainSamples = "train_samples", testSamples = "test_samples"
    }
}

extension RunSummary {
    /// How summary.json is written: sorted keys, and a non-finite number (a diverged model's
    /// loss) as the strings "inf", "-inf", "nan" rather than a failure to write.
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    /// Reads what `encoder()` writes.
    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
