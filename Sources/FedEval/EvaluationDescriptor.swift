import FedCore

/// How a threat evaluation declares itself to the registry: its key under a scenario's
/// `evaluate:` section, its parameters, the figures it reports (which may depend on its
/// parameters: one column per attack and budget), what it needs of the model, and the
/// function that measures. One per family, next to its code:
///
///     extension AdversarialEvaluation {
///         public static let descriptor = EvaluationDescriptor(
///             name: "adversarial", summary: "...", parameters: [...],
///             figures: { values in ... }) { values, input in
///             try AdversarialEvaluation(values).evaluate(input)
///         }
///     }
///
/// The scenario reader, `fedsim check`, docs/SCENARIOS.md's tables, rounds.csv's columns and
/// the reports read the registry's list of these, so nothing else switches over their names.
public struct EvaluationDescriptor: Sendable {
    /// The key under `evaluate:` (`adversarial`, `membership`, ...).
    public let name: String
    /// One line for the docs: what it measures, and the papers.
    public let summary: String
    /// The parameters and the checks across them.
    public let schema: ParameterSchema
    public var parameters: [Parameter] { schema.parameters }
    /// The figures it reports for `values` (each a column of rounds.csv, with its doc line).
    public let figures: @Sendable (ParameterValues) -> [(name: String, doc: String)]
    /// Why it cannot run on `model` with `values` (one line naming the key), or nil.
    public let check: @Sendable (ParameterValues, any Model) -> String?
    private let run: @Sendable (ParameterValues, EvaluationInput) throws -> EvaluationOutcome

    /// - Parameters:
    ///   - normalize: cross-parameter checks; throws naming the key at fault.
    ///   - check: model-dependent preconditions ("equation_solving needs a logistic model").
    ///   - run: the measurement on checked values.
    public init(name: String, summary: String, parameters: [Parameter] = [],
                figures: @escaping @Sendable (ParameterValues) -> [(name: String, doc: String)],
                normalize: @escaping @Sendable (inout ParameterValues) throws(ParameterError) -> Void = { _ in },
                check: @escaping @Sendable (ParameterValues, any Model) -> String? = { _, _ in nil },
                run: @escaping @Sendable (ParameterValues, EvaluationInput) throws -> EvaluationOutcome) {
        self.name = name
        self.summary = summary
        schema = ParameterSchema(parameters, normalize: normalize)
        self.figures = figures
        self.check = check
        self.run = run
    }

    /// Every parameter at its default.
    public var defaults: ParameterValues { schema.defaults }

    public func normalized(_ values: ParameterValues) throws(ParameterError) -> ParameterValues {
        try schema.normalized(values)
    }

    /// Measures on `input` with `values` (normalized first).
    public func evaluate(_ values: ParameterValues, _ input: EvaluationInput) throws -> EvaluationOutcome {
        try run(normalized(values), input)
    }
}
