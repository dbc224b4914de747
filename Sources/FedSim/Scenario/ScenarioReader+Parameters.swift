import FedCore
import Yams

extension ScenarioReader {
    /// A registered name (`kind: krum`), or `defaultValue` when absent; the message lists the
    /// registry's names as a choice's does.
    func name(_ key: String, allowed names: [String], default defaultValue: String) throws -> String {
        guard let node = value(key) else { return defaultValue }
        let allowed = names.joined(separator: ", ")
        guard case let .scalar(scalar) = node else {
            throw source.error(path + [key], at: node, "expected one of \(allowed), got \(ScenarioReader.describe(node))")
        }
        guard names.contains(scalar.string) else {
            throw source.error(path + [key], at: node, "unknown value \"\(scalar.string)\"; allowed: \(allowed)")
        }
        return scalar.string
    }

    /// The declared parameters of a component, read in declaration order: the scenario's
    /// values, defaults for the rest, then `normalize` (cross-key checks, placed at the key).
    func parameters(_ declared: [Parameter],
                    normalize: (ParameterValues) throws(ParameterError) -> ParameterValues) throws -> ParameterValues {
        var values = ParameterValues(defaultsOf: declared)
        for p in declared {
            if let v = try parameter(p) { values.set(p.key, v) }
        }
        do {
            return try normalize(values)
        } catch {
            throw self.error(error.key, error.message)
        }
    }

    /// One parameter's value, or nil when absent or null.
    private func parameter(_ p: Parameter) throws -> ParameterValue? {
        guard value(p.key) != nil else { return nil }
        switch p.type {
        case let .integer(range):
            return try int(p.key, range: range).map { .int($0) }
        case let .number(range):
            return .number(try double(p.key, default: 0, range: range))
        case .boolean:
            return .bool(try bool(p.key, default: false))
        case let .choice(words):
            return .word(try name(p.key, allowed: words, default: ""))
        case let .autoOrNumber(range):
            switch try autoOrNumber(p.key, range: range) {
            case .auto?: return .auto
            case let .value(x)?: return .number(x)
            case nil: return nil
            }
        case .autoOrCount:
            switch try autoOrNumber(p.key, range: .atLeast(0)) {
            case .auto?: return .auto
            case let .value(x)?:
                guard x == x.rounded(), x < 1e15 else { throw error(p.key, "expected auto or a whole number of clients, got \(x)") }
                return .int(Int(x))
            case nil: return nil
            }
        case let .integers(element, count):
            return .ints(try intList(p.key, default: [], element: element, count: count))
        }
    }
}

extension ResolvedValue {
    /// Each parameter with its value, in declaration order (null for a value not set).
    static func parameters(_ values: ParameterValues) -> [(String, ResolvedValue)] {
        values.entries.map { entry in
            let resolved: ResolvedValue
            switch entry.value {
            case let .int(v): resolved = .int(v)
            case let .number(v): resolved = .number(v)
            case let .bool(v): resolved = .word(v ? "true" : "false")
            case let .word(w): resolved = .word(w)
            case let .ints(v): resolved = .integers(v)
            case .null: resolved = .string(nil)
            }
            return (entry.key, resolved)
        }
    }
}
