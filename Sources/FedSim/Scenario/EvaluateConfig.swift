import FedCore
import FedEval

/// One threat evaluation with its parameters (`evaluate.<name>`, e.g. `membership: {attacks: [loss]}`).
public struct EvaluationConfig: Sendable, Equatable {
    /// The registered name (`Registry.evaluations`).
    public var kind: String { descriptor.name }
    public let descriptor: EvaluationDescriptor
    public let values: ParameterValues
    /// Where the scenario enabled it, for the errors found once the model is known (its
    /// message empty); not part of the experiment.
    let place: ScenarioError?

    /// `descriptor` (registered or not: tests measure with their own) with `values`.
    public init(_ descriptor: EvaluationDescriptor, values: ParameterValues? = nil) {
        self.init(descriptor, values: values ?? descriptor.defaults, place: nil)
    }

    init(_ descriptor: EvaluationDescriptor, values: ParameterValues, place: ScenarioError?) {
        self.descriptor = descriptor
        self.values = values
        self.place = place
    }

    public static func == (a: EvaluationConfig, b: EvaluationConfig) -> Bool {
        a.kind == b.kind && a.values == b.values
    }

    /// The refusal of this evaluation on `model` (the descriptor's `check`), placed at its key.
    func refusal(on model: any Model) -> ScenarioError? {
        guard let problem = descriptor.check(values, model) else { return nil }
        var e = place ?? ScenarioError(file: "", keyPath: "\(EvaluateConfig.key).\(kind)", message: "")
        e.message = problem
        e.isPrecondition = true
        return e
    }
}

/// The `evaluate:` section: the threat evaluations measured on the global model after the
/// rounds `every` picks (and always after the last), each on at most `samples` samples.
/// Absent or empty: nothing is evaluated beyond accuracy (and the attack's own metric), and
/// the resolved scenario (so the fingerprint) has no `evaluate` key.
public struct EvaluateConfig: Sendable, Equatable {
    /// Rounds between evaluations (>= 1): after rounds every, 2·every, ... and the last.
    public var every: Int
    /// Samples the costly evaluations use (test inputs attacked, members and non-members, ...).
    public var samples: Int
    /// The enabled evaluations, in the registry's order.
    public var evaluations: [EvaluationConfig]

    public init(every: Int = 5, samples: Int = 500, evaluations: [EvaluationConfig] = []) {
        self.every = every
        self.samples = samples
        self.evaluations = evaluations
    }

    public var isEmpty: Bool { evaluations.isEmpty }

    /// True when the model after round `round` of `rounds` is evaluated.
    public func evaluates(round: Int, of rounds: Int) -> Bool {
        !isEmpty && (round % every == 0 || round == rounds)
    }
}

extension EvaluateConfig: ScenarioSection {
    static let key = "evaluate"

    init(reading r: ScenarioReader) throws {
        let every = try r.int("every", default: 5, range: .atLeast(1))
        let samples = try r.int("samples", default: 500, range: .atLeast(1))
        var evaluations: [EvaluationConfig] = []
        for d in Registry.evaluations {
            guard let section = try r.optionalSection(d.name) else { continue }
            let values = try section.parameters(d.parameters, normalize: d.normalized)
            try section.finish()
            var place = r.error(d.name, "")
            place.message = ""
            evaluations.append(EvaluationConfig(d, values: values, place: place))
        }
        self.init(every: every, samples: samples, evaluations: evaluations)
    }

    var resolvedFields: [(String, ResolvedValue)] {
        var fields: [(String, ResolvedValue)] = [("every", .int(every)), ("samples", .int(samples))]
        for e in evaluations { fields.append((e.kind, .section(ResolvedValue.parameters(e.values)))) }
        return fields
    }
}
