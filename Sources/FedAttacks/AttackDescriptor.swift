import FedCore

/// How an attack declares itself to the registry: its scenario name (`attack.kind`), its
/// parameters, where it acts, and what success metric it reports. One per attack, next to the
/// attack's code; the scenario reader, `fedsim check`, docs/SCENARIOS.md's tables and the
/// runtime read the registry's list of these, so nothing else switches over attack names.
public struct AttackDescriptor: Sendable {
    /// What a data attack may need to know about the training data.
    public struct DataFacts: Sendable {
        /// Number of classes.
        public var classes: Int
        /// The largest feature value of the training set (a backdoor trigger's default value).
        public var maxFeature: Float
        /// The poisoning client's place in its attack group (0-based, by client id) and the
        /// group's size: DBA gives each attacker its own part of the trigger.
        public var attacker: Int
        public var attackers: Int

        public init(classes: Int, maxFeature: Float, attacker: Int = 0, attackers: Int = 1) {
            self.classes = classes
            self.maxFeature = maxFeature
            self.attacker = attacker
            self.attackers = attackers
        }
    }

    /// Where the attack acts (STYLE: attacks split by where they act).
    public enum Role: Sendable {
        /// Poisons the malicious client's local data; the client then trains honestly on it.
        case data(@Sendable (ParameterValues, DataFacts) throws -> any DataAttack)
        /// Replaces the update: inside the malicious client, or, when the attack needs
        /// statistics of several updates (`ModelAttack.needsCollusion`), in the adversary hub.
        case model(@Sendable (ParameterValues) throws -> any ModelAttack)
        /// Poisons the data and shapes the update trained on it (Neurotoxin's gradient mask,
        /// constrain-and-scale's distance term): the data attack, then the model attack on the
        /// update; the model attack may also steer training (`ModelAttack.gradientAdjustment`).
        case dataAndModel(data: @Sendable (ParameterValues, DataFacts) throws -> any DataAttack,
                          model: @Sendable (ParameterValues) throws -> any ModelAttack)
        /// Breaks the wire rules (replays, stale rounds, malformed frames); the client runtime
        /// implements these, and the coordinator must refuse and count what they send.
        case wire
    }

    /// The test inputs and target class on which an attack's success is measured.
    public struct SuccessProbe: Sendable {
        /// Inputs whose prediction as `target` counts as success.
        public var inputs: Dataset
        public var target: Int

        public init(inputs: Dataset, target: Int) {
            self.inputs = inputs
            self.target = target
        }
    }

    /// A success metric: its name (summary.json's `attack_metric`), a doc line, and the probe
    /// it builds from the attack's values and the test set (nil when this configuration has
    /// no target, e.g. untargeted label flipping).
    public struct SuccessMetric: Sendable {
        public var name: String
        public var doc: String
        public var probe: @Sendable (ParameterValues, _ test: Dataset, DataFacts) throws -> SuccessProbe?

        public init(name: String, doc: String,
                    probe: @escaping @Sendable (ParameterValues, _ test: Dataset, DataFacts) throws -> SuccessProbe?) {
            self.name = name
            self.doc = doc
            self.probe = probe
        }
    }

    /// The scenario name (`label-flip`).
    public let name: String
    /// One line for the docs: what the attack does, and the paper.
    public let summary: String
    /// The parameters and the checks across them.
    public let schema: ParameterSchema
    public var parameters: [Parameter] { schema.parameters }
    public let role: Role
    /// True when the attackers collude through the adversary hub.
    public let needsHub: Bool
    public let successMetric: SuccessMetric?
    /// The model-replacement boost the attack asks for (Bagdasaryan et al., AISTATS 2020):
    /// a factor, `.auto` for n / (f η), or nil when the attack does not boost.
    public let boost: (@Sendable (ParameterValues) -> Boost)?

    /// A boost of the delta after training.
    public enum Boost: Sendable, Equatable {
        case factor(Double)
        /// n / (f·η): the f boosted deltas together replace the global model once.
        case auto
    }

    public init(name: String, summary: String, parameters: [Parameter] = [], role: Role, needsHub: Bool = false,
                successMetric: SuccessMetric? = nil, boost: (@Sendable (ParameterValues) -> Boost)? = nil,
                normalize: @escaping @Sendable (inout ParameterValues) throws(ParameterError) -> Void = { _ in }) {
        self.name = name
        self.summary = summary
        schema = ParameterSchema(parameters, normalize: normalize)
        self.role = role
        self.needsHub = needsHub
        self.successMetric = successMetric
        self.boost = boost
    }

    /// Every parameter at its default.
    public var defaults: ParameterValues { schema.defaults }

    /// Checks values read from a scenario against each other.
    public func normalized(_ values: ParameterValues) throws(ParameterError) -> ParameterValues {
        try schema.normalized(values)
    }

    /// True for data poisoning.
    public var isDataPoisoning: Bool {
        switch role {
        case .data, .dataAndModel: return true
        case .model, .wire: return false
        }
    }

    /// True for attacks on the wire protocol.
    public var isWire: Bool {
        if case .wire = role { return true }
        return false
    }

    /// The data attack for `values`, or nil when this attack acts elsewhere.
    public func dataAttack(_ values: ParameterValues, facts: DataFacts) throws -> (any DataAttack)? {
        switch role {
        case let .data(make), let .dataAndModel(make, _): return try make(values, facts)
        case .model, .wire: return nil
        }
    }

    /// The model attack for `values`, or nil when this attack acts elsewhere.
    public func modelAttack(_ values: ParameterValues) throws -> (any ModelAttack)? {
        switch role {
        case let .model(make), let .dataAndModel(_, make): return try make(values)
        case .data, .wire: return nil
        }
    }
}
