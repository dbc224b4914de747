/// The allowed values of a number (a scenario key, a registered parameter), with open or closed ends.
///
/// Renders itself for messages: `condition(name:)` gives `0 < fraction <= 1`, and `summary`
/// gives the short form used after a type (`an integer >= 1`, `a number in (0, 1]`).
public struct Interval<Bound: Comparable & Sendable>: Sendable {
    public var lower: Bound?
    public var lowerOpen: Bool
    public var upper: Bound?
    public var upperOpen: Bool

    public init(lower: Bound?, lowerOpen: Bool = false, upper: Bound?, upperOpen: Bool = false) {
        self.lower = lower
        self.lowerOpen = lowerOpen
        self.upper = upper
        self.upperOpen = upperOpen
    }

    /// `x >= value`
    public static func atLeast(_ value: Bound) -> Interval { Interval(lower: value, upper: nil) }
    /// `x > value`
    public static func greaterThan(_ value: Bound) -> Interval { Interval(lower: value, lowerOpen: true, upper: nil) }
    /// `low <= x <= high`
    public static func closed(_ low: Bound, _ high: Bound) -> Interval { Interval(lower: low, upper: high) }
    /// `low < x <= high`
    public static func openClosed(_ low: Bound, _ high: Bound) -> Interval {
        Interval(lower: low, lowerOpen: true, upper: high)
    }
    /// `low <= x < high`
    public static func closedOpen(_ low: Bound, _ high: Bound) -> Interval {
        Interval(lower: low, upper: high, upperOpen: true)
    }
    /// `low < x < high`
    public static func open(_ low: Bound, _ high: Bound) -> Interval {
        Interval(lower: low, lowerOpen: true, upper: high, upperOpen: true)
    }

    public func contains(_ value: Bound) -> Bool {
        if let lower, lowerOpen ? !(value > lower) : !(value >= lower) { return false }
        if let upper, upperOpen ? !(value < upper) : !(value <= upper) { return false }
        return true
    }

    /// The rule with the key's name in it: `0 < fraction <= 1`, `rounds >= 1`.
    public func condition(name: String) -> String {
        switch (lower, upper) {
        case let (low?, high?):
            return "\(Self.format(low)) \(lowerOpen ? "<" : "<=") \(name) \(upperOpen ? "<" : "<=") \(Self.format(high))"
        case let (low?, nil):
            return "\(name) \(lowerOpen ? ">" : ">=") \(Self.format(low))"
        case let (nil, high?):
            return "\(name) \(upperOpen ? "<" : "<=") \(Self.format(high))"
        case (nil, nil):
            return "any \(name)"
        }
    }

    /// The short form after a type name: `>= 1`, `in 1...100000`, `in (0, 1]`; empty when unbounded.
    public var summary: String {
        switch (lower, upper) {
        case let (low?, high?):
            if !lowerOpen && !upperOpen && !(Bound.self == Double.self) {
                return "in \(Self.format(low))...\(Self.format(high))"
            }
            return "in \(lowerOpen ? "(" : "[")\(Self.format(low)), \(Self.format(high))\(upperOpen ? ")" : "]")"
        case let (low?, nil):
            return "\(lowerOpen ? ">" : ">=") \(Self.format(low))"
        case let (nil, high?):
            return "\(upperOpen ? "<" : "<=") \(Self.format(high))"
        case (nil, nil):
            return ""
        }
    }

    /// Whole doubles print without a fraction (`1`, not `1.0`), so rules read like the docs.
    public static func format(_ value: Bound) -> String {
        if let double = value as? Double, double.rounded() == double, abs(double) < 1e15 {
            return String(Int64(double))
        }
        return "\(value)"
    }
}

extension Interval where Bound: FixedWidthInteger {
    /// `range.lowerBound <= x <= range.upperBound`
    public init(_ range: ClosedRange<Bound>) { self.init(lower: range.lowerBound, upper: range.upperBound) }
    /// `x >= range.lowerBound`
    public init(_ range: PartialRangeFrom<Bound>) { self.init(lower: range.lowerBound, upper: nil) }
}

extension Interval {
    /// Any value.
    public static var unbounded: Interval { Interval(lower: nil, upper: nil) }
}
