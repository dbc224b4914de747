/// The figures of a finished round that summary.json needs; kept in the checkpoint so that a
/// resumed run's summary covers every round.
public struct RoundDigest: Codable, Sendable, Equatable {
    public var round: Int
    public var testAccuracy: Double
    public var testLoss: Double
    public var received: Int
    /// Clients sampled, and whether the global model was updated (for degraded-round counts).
    public var sampled: Int
    public var applied: Bool
    public var rejected: Int
    public var roundMilliseconds: Double
    public var attackSuccessRate: Double?
    public var maliciousReceived: Int
    public var maliciousSelected: Int?
    public var detectionTPR: Double?
    public var detectionFPR: Double?
    public var detectionPrecision: Double?
    /// The threat evaluations' figures, on the rounds evaluated (nil otherwise).
    public var evaluations: [String: Double]?

    init(_ r: RoundRecord) {
        round = r.round
        testAccuracy = r.testAccuracy
        testLoss = r.testLoss
        received = r.received
        sampled = r.sampled
        applied = r.applied
        rejected = r.rejected
        roundMilliseconds = r.roundMilliseconds
        attackSuccessRate = r.attackSuccessRate
        maliciousReceived = r.maliciousReceived
        maliciousSelected = r.detection?.maliciousSelected
        detectionTPR = r.detection?.truePositiveRate
        detectionFPR = r.detection?.falsePositiveRate
        detectionPrecision = r.detection?.precision
        evaluations = r.evaluations.isEmpty ? nil : r.evaluations
    }
}
