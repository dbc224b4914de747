/// The values of a component's declared parameters, in declaration order: what the scenario
/// gave, defaults for the rest. Factories read them by key:
///
///     try Krum(f: values.fSetting("f"))        // FedRobust's accessor for `.autoOrCount`
///     values.int("iterations"), values.optionalDouble("tau")
///
/// Asking for a key the component did not declare, or with the wrong type, is a programming
/// error in the component (every registered component is built from its defaults in the
/// registry tests, so such a slip fails there).
public struct ParameterValues: Sendable, Equatable {
    public private(set) var keys: [String]
    private var values: [String: ParameterValue]
    /// The keys the scenario gave explicitly (not null), for checks such as "give either f
    /// or beta, not both".
    public private(set) var given: Set<String>

    /// Every declared parameter at its default.
    public init(defaultsOf parameters: [Parameter]) {
        keys = parameters.map(\.key)
        values = Dictionary(uniqueKeysWithValues: parameters.map { ($0.key, $0.defaultValue) })
        given = []
    }

    /// Sets `key` (which must be declared); `given` records that the scenario set it.
    public mutating func set(_ key: String, _ value: ParameterValue, given isGiven: Bool = true) {
        precondition(values[key] != nil, "parameter \(key) is not declared; declared: \(keys)")
        values[key] = value
        if isGiven && value != .null { given.insert(key) } else { given.remove(key) }
    }

    /// The value of `key` (which must be declared).
    public subscript(key: String) -> ParameterValue {
        guard let value = values[key] else { preconditionFailure("parameter \(key) is not declared; declared: \(keys)") }
        return value
    }

    /// Each declared key with its value, in declaration order.
    public var entries: [(key: String, value: ParameterValue)] { keys.map { ($0, self[$0]) } }

    public func int(_ key: String) -> Int {
        guard case let .int(v) = self[key] else { mismatch(key, "an integer") }
        return v
    }

    public func optionalInt(_ key: String) -> Int? {
        switch self[key] {
        case .null: return nil
        case let .int(v): return v
        default: mismatch(key, "an integer or null")
        }
    }

    public func double(_ key: String) -> Double {
        switch self[key] {
        case let .number(v): return v
        case let .int(v): return Double(v)
        default: mismatch(key, "a number")
        }
    }

    public func optionalDouble(_ key: String) -> Double? {
        self[key] == .null ? nil : double(key)
    }

    public func bool(_ key: String) -> Bool {
        guard case let .bool(v) = self[key] else { mismatch(key, "a boolean") }
        return v
    }

    /// A choice (or `auto`).
    public func word(_ key: String) -> String {
        guard case let .word(w) = self[key] else { mismatch(key, "a word") }
        return w
    }

    public func ints(_ key: String) -> [Int] {
        guard case let .ints(v) = self[key] else { mismatch(key, "a list of integers") }
        return v
    }

    /// A `.numbers` list (a single number in the scenario reads as a list of one).
    public func numbers(_ key: String) -> [Double] {
        guard case let .numbers(v) = self[key] else { mismatch(key, "a list of numbers") }
        return v
    }

    public func items(_ key: String) -> [ParameterItem] {
        guard case let .items(v) = self[key] else { mismatch(key, "a list of items") }
        return v
    }

    /// nil for `auto`, else the number.
    public func autoOrDouble(_ key: String) -> Double? {
        self[key] == .auto ? nil : double(key)
    }

    /// nil for `auto`, else the count.
    public func autoOrInt(_ key: String) -> Int? {
        self[key] == .auto ? nil : int(key)
    }

    private func mismatch(_ key: String, _ expected: String) -> Never {
        preconditionFailure("parameter \(key) is \(self[key]), not \(expected)")
    }

    public static func == (a: ParameterValues, b: ParameterValues) -> Bool {
        a.keys == b.keys && a.values == b.values
    }
}

/// A parameter value that is out of range or conflicts with another: the reader places it at
/// the key's line in the scenario file.
public struct ParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The parameter the message is about.
    public var key: String
    public var message: String

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}
