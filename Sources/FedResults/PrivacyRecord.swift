/// Differential privacy in summary.json: the budget spent when the accountant's guarantee
/// holds for the defense, or why it does not.
public struct PrivacyRecord: Codable, Sendable {
    public var noiseMultiplier: Double
    public var clip: Double
    public var delta: Double
    public var samplingRate: Double
    /// The spent epsilon at `delta`, or nil when the guarantee does not apply.
    public var epsilon: Double?
    public var order: Double?
    public var conversion: String
    public var epsilonApplies: Bool
    public var note: String

    public init(noiseMultiplier: Double, clip: Double, delta: Double, samplingRate: Double, epsilon: Double? = nil,
                order: Double? = nil, conversion: String, epsilonApplies: Bool, note: String) {
        self.noiseMultiplier = noiseMultiplier
        self.clip = clip
        self.delta = delta
        self.samplingRate = samplingRate
        self.epsilon = epsilon
        self.order = order
        self.conversion = conversion
        self.epsilonApplies = epsilonApplies
        self.note = note
    }

    enum CodingKeys: String, CodingKey {
        case clip, delta, epsilon, order, conversion, note
        case noiseMultiplier = "noise_multiplier", samplingRate = "sampling_rate", epsilonApplies = "epsilon_applies"
    }
}
