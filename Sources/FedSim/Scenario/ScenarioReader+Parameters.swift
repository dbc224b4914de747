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
            throw source.error(path + [key], at: node,
                               "unknown value \"\(scalar.string)\";\(Suggestion.hint(for: scalar.string, among: names)) allowed: \(allowed)")
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
        case let .numbers(element, count):
            return .numbers(try numberList(p.key, element: element, count: count))
        case let .allOrIntegers(element, count):
            if let node = value(p.key), case .scalar = node {
                guard ScenarioReader.plainText(node) == "all" else {
                    throw source.error(path + [p.key], at: node,
                                       "expected all or a list of integers like [0, 3], got \(ScenarioReader.describe(node))")
                }
                return .word("all")
            }
            return .ints(try intList(p.key, default: [], element: element, count: count))
        case let .items(kinds, count):
            return .items(try items(p.key, kinds: kinds, count: count))
        }
    }

    /// A list of items (`.items`): each element a bare word naming a kind (`relu`) or a mapping
    /// with exactly one kind's name among its keys (`{conv: 32, kernel: 3}`), whose other keys
    /// are that kind's options; errors name `key[i]` or `key[i].option`.
    private func items(_ key: String, kinds: [ItemKind], count: ClosedRange<Int>) throws -> [ParameterItem] {
        guard let node = value(key) else { return [] }
        let names = kinds.map(\.name)
        let allowed = names.joined(separator: ", ")
        guard case let .sequence(sequence) = node else {
            throw source.error(path + [key], at: node, "expected a list such as [{\(names[0]): ...}, ...] of \(allowed); "
                               + "got \(ScenarioReader.describe(node))")
        }
        guard count.contains(sequence.count) else {
            throw source.error(path + [key], at: node,
                               "has \(sequence.count) items; allowed: \(count.lowerBound) to \(count.upperBound) items")
        }
        var result = [ParameterItem]()
        for (index, element) in sequence.enumerated() {
            let at = path + [key, "[\(index)]"]
            switch element {
            case .scalar:
                guard let word = ScenarioReader.plainText(element), let kind = kinds.first(where: { $0.name == word }) else {
                    let hint = ScenarioReader.plainText(element).map { Suggestion.hint(for: $0, among: kinds.map(\.name)) } ?? ""
                    throw source.error(at, at: element, "unknown item \(ScenarioReader.describe(element));\(hint) allowed: \(allowed)")
                }
                guard kind.allowsBareWord else {
                    throw source.error(at, at: element, "\(word) needs a value: write {\(word): ...}")
                }
                result.append(ParameterItem(kind))
            case let .mapping(mapping):
                let present = mapping.compactMap { k, _ in k.scalar?.string }.filter(names.contains)
                guard present.count == 1, let kind = kinds.first(where: { $0.name == present[0] }) else {
                    let what = present.isEmpty ? "no kind" : "several kinds (\(present.joined(separator: ", ")))"
                    throw source.error(at, at: element, "a mapping item names \(what); it needs exactly one of \(allowed)")
                }
                let child = try ScenarioReader(element, path: at, source: source)
                let values = try child.parameters(kind.parameters) { $0 }
                try child.finish()
                if kind.value != nil, values[kind.name] == .null {
                    throw child.error(kind.name, "\(kind.name) needs a value")
                }
                result.append(ParameterItem(kind: kind.name, entries: values.entries))
            default:
                throw source.error(at, at: element, "expected one of \(allowed) or a mapping such as {\(names[0]): ...}; "
                                   + "got \(ScenarioReader.describe(element))")
            }
        }
        return result
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
            case let .numbers(v): resolved = .numbers(v)
            case .items: resolved = .word(entry.value.description)
            case .null: resolved = .string(nil)
            }
            return (entry.key, resolved)
        }
    }
}
