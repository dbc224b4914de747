/// A component's declared parameters and the checks across them: what every descriptor
/// (rule, attack, model, pre-aggregation step) holds, so that defaults and cross-key checks
/// work the same way for all of them.
public struct ParameterSchema: Sendable {
    public let parameters: [Parameter]
    private let normalize: @Sendable (inout ParameterValues) throws(ParameterError) -> Void

    /// - Parameter normalize: checks across parameters ("give either tau or tau_multiple") and
    ///   the settling of values that depend on others; throws naming the key at fault.
    public init(_ parameters: [Parameter],
                normalize: @escaping @Sendable (inout ParameterValues) throws(ParameterError) -> Void = { _ in }) {
        self.parameters = parameters
        self.normalize = normalize
    }

    /// Every parameter at its default.
    public var defaults: ParameterValues { ParameterValues(defaultsOf: parameters) }

    /// `values` checked against each other, with dependent values settled.
    public func normalized(_ values: ParameterValues) throws(ParameterError) -> ParameterValues {
        var v = values
        try normalize(&v)
        return v
    }
}
