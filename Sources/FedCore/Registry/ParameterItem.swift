/// One kind of element of a `.items` list parameter (`model.layers`): written as a bare word
/// (`relu`) or as a mapping whose first key is the kind's name (`{conv: 32, kernel: 3}`).
///
/// `value` is the parameter read from the kind's own key (`conv: 32` -> 32 channels); a kind
/// without one (`relu`) is written as a bare word only. `options` are the other keys of the
/// mapping (`kernel`, `stride`). A bare word takes every default, so it is allowed only when
/// `value` is nil or has a default.
public struct ItemKind: Sendable {
    public let name: String
    public let value: Parameter?
    public let options: [Parameter]
    /// One line for the docs.
    public let doc: String

    public init(_ name: String, value: ParameterType? = nil, default defaultValue: ParameterValue = .null,
                options: [Parameter] = [], doc: String) {
        self.name = name
        self.value = value.map { Parameter(name, $0, default: defaultValue, doc: doc) }
        self.options = options
        self.doc = doc
    }

    /// The value parameter, then the options: what a mapping of this kind may hold.
    public var parameters: [Parameter] { (value.map { [$0] } ?? []) + options }

    /// Whether `relu` alone (no mapping) is a complete item of this kind.
    public var allowsBareWord: Bool { value == nil || value?.defaultValue != .null }
}

/// One element of a `.items` list: its kind and the values of the kind's parameters (the
/// value under the kind's name first, then the options), in declaration order.
public struct ParameterItem: Sendable, Hashable, CustomStringConvertible {
    public let kind: String
    public let keys: [String]
    public let values: [ParameterValue]

    public init(kind: String, entries: [(key: String, value: ParameterValue)] = []) {
        self.kind = kind
        self.keys = entries.map(\.key)
        self.values = entries.map(\.value)
    }

    /// The item with every parameter of `kind` at its default, `given` overriding.
    public init(_ kind: ItemKind, _ given: [String: ParameterValue] = [:]) {
        self.init(kind: kind.name, entries: kind.parameters.map { ($0.key, given[$0.key] ?? $0.defaultValue) })
    }

    public subscript(key: String) -> ParameterValue {
        guard let i = keys.firstIndex(of: key) else { preconditionFailure("item \(kind) has no parameter \(key); it has \(keys)") }
        return values[i]
    }

    public func int(_ key: String) -> Int {
        guard case let .int(v) = self[key] else { preconditionFailure("item \(kind): \(key) is \(self[key]), not an integer") }
        return v
    }

    public func optionalInt(_ key: String) -> Int? {
        self[key] == .null ? nil : int(key)
    }

    public func double(_ key: String) -> Double {
        switch self[key] {
        case let .number(v): return v
        case let .int(v): return Double(v)
        default: preconditionFailure("item \(kind): \(key) is \(self[key]), not a number")
        }
    }

    /// YAML flow text that reads back to this item: `relu`, `{conv: 32, kernel: 3}` (nulls left out).
    public var description: String {
        let set = zip(keys, values).filter { $0.1 != .null }
        if set.isEmpty { return kind }
        return "{" + set.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
    }
}
