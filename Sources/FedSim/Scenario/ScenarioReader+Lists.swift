import FedCore
import Yams

extension ScenarioReader {
    /// The mappings under `key`: one mapping, or a list of mappings. Each element gets its own
    /// reader whose errors name `key[i]` (or `key` for a single mapping); call `finish()` on each.
    func mappingList(_ key: String) throws -> [ScenarioReader] {
        guard let node = value(key) else { return [] }
        switch node {
        case .mapping:
            return [try ScenarioReader(node, path: path + [key], source: source)]
        case let .sequence(sequence):
            return try sequence.enumerated().map { index, element in
                try ScenarioReader(element, path: path + [key, "[\(index)]"], source: source)
            }
        default:
            throw source.error(path + [key], at: node,
                               "expected a mapping or a list of mappings, got \(ScenarioReader.describe(node))")
        }
    }

    /// `auto`, or a number in `range`; nil when absent.
    func autoOrNumber(_ key: String, range: Interval<Double>) throws -> AutoOr<Double>? {
        guard let node = value(key) else { return nil }
        if ScenarioReader.plainText(node) == "auto" { return .auto }
        guard let text = ScenarioReader.plainText(node), let number = ScenarioReader.number(text) else {
            throw source.error(path + [key], at: node, "expected auto or a number, got \(ScenarioReader.describe(node))")
        }
        guard range.contains(number) else {
            throw source.error(path + [key], at: node, "\(text) is out of range; allowed: auto or \(range.condition(name: key))")
        }
        return .value(number)
    }

    /// A share of the clients: a fraction in (0, 1), or a whole number of clients (>= 1).
    func share(_ key: String) throws -> ClientShare? {
        guard let node = value(key) else { return nil }
        guard let text = ScenarioReader.plainText(node), let number = ScenarioReader.number(text) else {
            throw source.error(path + [key], at: node,
                               "expected a fraction such as 0.2 or a count such as 4, got \(ScenarioReader.describe(node))")
        }
        if let digits = ScenarioReader.integerDigits(text), let count = Int(digits) {
            guard count >= 1 else {
                throw source.error(path + [key], at: node, "\(text) is out of range; allowed: a fraction in (0, 1) or a count >= 1")
            }
            return .count(count)
        }
        guard number > 0 && number < 1 else {
            throw source.error(path + [key], at: node, "\(text) is out of range; allowed: a fraction in (0, 1) or a count >= 1")
        }
        return .fraction(number)
    }
}

/// A value that may be left to the program (`auto`).
public enum AutoOr<Value: Sendable & Equatable>: Sendable, Equatable {
    case auto
    case value(Value)
}

/// How many clients: a fraction of all clients, or a count.
public enum ClientShare: Sendable, Equatable {
    case fraction(Double)
    case count(Int)

    /// The number of clients out of `total`: a fraction rounds to the nearest integer, at least 1.
    public func count(of total: Int) -> Int {
        switch self {
        case let .fraction(f): return max(1, Int((f * Double(total)).rounded()))
        case let .count(c): return c
        }
    }
}

extension ScenarioReader {
    /// The text of `key` when its value is a plain word (`aggregator: median`), else nil.
    func word(_ key: String) -> String? {
        guard let node = value(key), case .scalar = node else { return nil }
        return ScenarioReader.plainText(node)
    }

    /// A reader over the mapping at `key`, or nil when absent; call `finish()` on it.
    func optionalSection(_ key: String) throws -> ScenarioReader? {
        guard let node = value(key) else { return nil }
        return try ScenarioReader(node, path: path + [key], source: source)
    }
}
