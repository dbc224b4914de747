/// One parameter of a registered component (an aggregation rule, an attack, a model): its
/// scenario key, its type with the allowed range, its default and a one-line doc.
///
/// The scenario reader, `fedsim check`, docs/SCENARIOS.md's tables and the benchmarks all read
/// these declarations, so a component states its parameters once, next to its code:
///
///     Parameter("iterations", .integer(.closed(1, 1000)), default: .int(4),
///               doc: "Weiszfeld iterations at most")
public struct Parameter: Sendable {
    /// The scenario key (`tau_multiple`).
    public let key: String
    public let type: ParameterType
    /// The value when the scenario does not give one; `.null` means "not set" (the key may
    /// then be given as a value of `type` or as null).
    public let defaultValue: ParameterValue
    /// One line for the docs and `fedsim check`: what it does, in the component's terms.
    public let doc: String

    public init(_ key: String, _ type: ParameterType, default defaultValue: ParameterValue, doc: String) {
        self.key = key
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
    }
}

/// What values a parameter takes.
public enum ParameterType: Sendable {
    /// A whole number in the interval.
    case integer(Interval<Int>)
    /// A finite number in the interval (integers read as numbers).
    case number(Interval<Double>)
    case boolean
    /// One of the words.
    case choice([String])
    /// `auto` (left to the component) or a number in the interval.
    case autoOrNumber(Interval<Double>)
    /// `auto` or a whole number of clients >= 0 (the `f` of the Byzantine-robust rules).
    case autoOrCount
    /// A list of whole numbers, each in `element`, with a length in `count` (`hidden: [64, 32]`).
    case integers(element: Interval<Int>, count: ClosedRange<Int>)
    /// One number or a list of numbers, each in `element`, with a length in `count`
    /// (`epsilon: 0.1` or `epsilon: [0.05, 0.1]`); read as a list either way.
    case numbers(element: Interval<Double>, count: ClosedRange<Int>)
    /// The word `all`, or a list of whole numbers as `.integers` (`classes: all`, `classes: [3, 7]`).
    case allOrIntegers(element: Interval<Int>, count: ClosedRange<Int>)
    /// A list of items of the given kinds, each a bare word or a one-kind mapping, with a
    /// length in `count` (`layers: [{conv: 32, kernel: 3}, relu, flatten]`).
    case items([ItemKind], count: ClosedRange<Int>)

    /// The kind named `name` of an `.items` type.
    public func itemKind(_ name: String) -> ItemKind? {
        guard case let .items(kinds, _) = self else { return nil }
        return kinds.first { $0.name == name }
    }

    /// The type as the docs' tables name it.
    public var label: String {
        switch self {
        case .integer: return "integer"
        case .number: return "number"
        case .boolean: return "boolean"
        case .choice: return "choice"
        case .autoOrNumber: return "auto or number"
        case .autoOrCount: return "auto or integer"
        case .integers: return "list of integers"
        case .numbers: return "number or list of numbers"
        case .allOrIntegers: return "all or list of integers"
        case .items: return "list"
        }
    }

    /// The allowed values, as the docs' tables show them (`>= 1`, `in (0, 1]`, `mean, zero`).
    public var allowed: String {
        switch self {
        case let .integer(range): return range.summary.isEmpty ? "any integer" : range.summary
        case let .number(range): return range.summary.isEmpty ? "any number" : range.summary
        case .boolean: return "true, false"
        case let .choice(words): return words.joined(separator: ", ")
        case let .autoOrNumber(range): return "auto" + (range.summary.isEmpty ? ", any number" : ", or \(range.summary)")
        case .autoOrCount: return "auto, or >= 0"
        case let .integers(element, count):
            return "\(count.lowerBound) to \(count.upperBound) values" + (element.summary.isEmpty ? "" : ", each \(element.summary)")
        case let .numbers(element, count):
            return "\(count.lowerBound) to \(count.upperBound) values" + (element.summary.isEmpty ? "" : ", each \(element.summary)")
        case let .allOrIntegers(element, count):
            return "all, or \(count.lowerBound) to \(count.upperBound) values" + (element.summary.isEmpty ? "" : ", each \(element.summary)")
        case let .items(kinds, count):
            return "\(count.lowerBound) to \(count.upperBound) of " + kinds.map(\.name).joined(separator: ", ")
        }
    }
}

/// A parameter's value, as read from a scenario or given as a default.
public enum ParameterValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    case int(Int)
    case number(Double)
    case bool(Bool)
    /// A choice, or `auto`.
    case word(String)
    case ints([Int])
    /// A list of numbers (`.numbers`).
    case numbers([Double])
    /// A list of items (`.items`).
    case items([ParameterItem])
    /// Not set.
    case null

    public static let auto = ParameterValue.word("auto")

    /// The value as the docs show a default (`4`, `1e-05`, `auto`, `[64]`, `none`).
    public var description: String {
        switch self {
        case let .int(v): return String(v)
        case let .number(v): return "\(v)"
        case let .bool(v): return v ? "true" : "false"
        case let .word(w): return w
        case let .ints(v): return "[" + v.map(String.init).joined(separator: ", ") + "]"
        case let .numbers(v): return "[" + v.map { "\($0)" }.joined(separator: ", ") + "]"
        case let .items(v): return "[" + v.map(\.description).joined(separator: ", ") + "]"
        case .null: return "none"
        }
    }
}
