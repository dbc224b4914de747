import FedCore
import Yams

/// A section of a scenario (`dataset:`, `federation:`, ...): read from a mapping, written back
/// in the resolved scenario. A new section is one file with a type conforming to this, plus a
/// stored property and its read and write lines in `Scenario`.
protocol ScenarioSection {
    /// The YAML key of the section, e.g. `federation`.
    static var key: String { get }
    /// Reads and validates the section; every value has a default, so `reader` may be empty.
    init(reading reader: ScenarioReader) throws
    /// Every key with its value, in the order they are read.
    var resolvedFields: [(String, ResolvedValue)] { get }
}

/// A typed reader over one YAML mapping, with line-accurate errors.
///
/// Each accessor names a key, records it as allowed, and returns its value or the default;
/// `finish()` then reports any key in the mapping that nobody asked for.
final class ScenarioReader {
    private struct Entry {
        let keyNode: Node
        let value: Node
    }

    let source: ScenarioSource
    /// Key path of this mapping (empty at the top level).
    let path: [String]
    /// The mapping itself (nil when the section was omitted), for errors about the section.
    private let node: Node?
    private var entries: [(key: String, entry: Entry)] = []
    private var requested: [String] = []

    /// Reads `node`, which must be a mapping, or absent/null for an empty section.
    init(_ node: Node?, path: [String], source: ScenarioSource) throws {
        self.source = source
        self.path = path
        self.node = node
        guard let node, !ScenarioReader.isNull(node) else { return }
        guard case let .mapping(mapping) = node else {
            let what = path.isEmpty ? "the scenario must be a mapping of keys" : "expected a mapping of keys"
            throw source.error(path, at: node, "\(what), got \(ScenarioReader.describe(node))")
        }
        for (keyNode, value) in mapping {
            guard case let .scalar(scalar) = keyNode, !scalar.string.isEmpty else {
                throw source.error(path, at: keyNode, "keys must be plain names, got \(ScenarioReader.describe(keyNode))")
            }
            if entries.contains(where: { $0.key == scalar.string }) {
                throw source.error(path + [scalar.string], at: keyNode, "duplicate key; each key may appear once")
            }
            entries.append((scalar.string, Entry(keyNode: keyNode, value: value)))
        }
    }

    /// A reader over the top level of `yaml` (YAML syntax errors become `ScenarioError`s).
    convenience init(yaml: String, source: ScenarioSource) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ScenarioSource.syntaxError(error, file: source.file, yaml: yaml)
        }
        try self.init(root, path: [], source: source)
    }

    // MARK: - Raw access

    /// The value node of `key` (nil when absent or null); records `key` as allowed.
    func value(_ key: String) -> Node? {
        if !requested.contains(key) { requested.append(key) }
        guard let value = entries.first(where: { $0.key == key })?.entry.value,
              !ScenarioReader.isNull(value) else { return nil }
        return value
    }

    /// An error about `key`, placed at its value (or at this section when the key is absent).
    /// Used for checks that involve several keys.
    func error(_ key: String, _ message: String) -> ScenarioError {
        let node = entries.first(where: { $0.key == key })?.entry.value ?? self.node
        return source.error(path + [key], at: node, message)
    }

    /// Reports the first key that no accessor asked for, listing the allowed ones.
    func finish() throws {
        for (key, entry) in entries where !requested.contains(key) {
            throw source.error(path + [key], at: entry.keyNode,
                               "unknown key;\(Suggestion.hint(for: key, among: requested)) allowed: \(requested.joined(separator: ", "))")
        }
    }

    // MARK: - Typed values

    /// An integer in `range`, or nil when absent. Floats such as `3.0` are rejected.
    func int<T: FixedWidthInteger & Sendable>(_ key: String, range: Interval<T>) throws -> T? {
        guard let node = value(key) else { return nil }
        let expected = ["expected an integer", range.summary].filter { !$0.isEmpty }.joined(separator: " ")
        guard let text = ScenarioReader.plainText(node), let digits = ScenarioReader.integerDigits(text) else {
            throw source.error(path + [key], at: node, "\(expected), got \(ScenarioReader.describe(node))")
        }
        guard let number = T(digits, radix: 10), range.contains(number) else {
            throw source.error(path + [key], at: node,
                               "\(text) is out of range; allowed: \(range.condition(name: name(of: key)))")
        }
        return number
    }

    /// An integer in `range`, or `defaultValue` when absent.
    func int<T: FixedWidthInteger & Sendable>(_ key: String, default defaultValue: T, range: Interval<T>) throws -> T {
        try int(key, range: range) ?? defaultValue
    }

    /// A finite number in `range` (integers are accepted: `1` reads as `1.0`), or `defaultValue`.
    func double(_ key: String, default defaultValue: Double, range: Interval<Double>) throws -> Double {
        guard let node = value(key) else { return defaultValue }
        let expected = ["expected a number", range.summary].filter { !$0.isEmpty }.joined(separator: " ")
        guard let text = ScenarioReader.plainText(node), let number = ScenarioReader.number(text) else {
            throw source.error(path + [key], at: node, "\(expected), got \(ScenarioReader.describe(node))")
        }
        guard range.contains(number) else {
            throw source.error(path + [key], at: node,
                               "\(text) is out of range; allowed: \(range.condition(name: name(of: key)))")
        }
        return number
    }

    /// A string (any scalar, quoted or not), or nil when absent or null.
    func string(_ key: String) throws -> String? {
        guard let node = value(key) else { return nil }
        guard case let .scalar(scalar) = node else {
            throw source.error(path + [key], at: node, "expected a string, got \(ScenarioReader.describe(node))")
        }
        return scalar.string
    }

    /// A string, or `defaultValue` when absent; an empty string is rejected unless `allowEmpty`.
    func string(_ key: String, default defaultValue: String, allowEmpty: Bool = false) throws -> String {
        guard let text = try string(key) else { return defaultValue }
        if text.isEmpty && !allowEmpty {
            throw error(key, "the value is empty; allowed: a non-empty string")
        }
        return text
    }

    /// A file path made absolute against the scenario's folder, or nil when absent.
    func path(_ key: String) throws -> String? {
        guard let text = try string(key) else { return nil }
        if text.isEmpty { throw error(key, "the path is empty; allowed: a file path, relative to the scenario file") }
        return ScenarioSource.absolute(text, relativeTo: source.baseDirectory)
    }

    /// `true` / `false` (YAML 1.1 spellings yes/no/on/off accepted), or `defaultValue`.
    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let node = value(key) else { return defaultValue }
        switch ScenarioReader.plainText(node)?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            throw source.error(path + [key], at: node, "expected true or false, got \(ScenarioReader.describe(node))")
        }
    }

    /// One of the cases of `E` by raw value, or `defaultValue` when absent.
    func choice<E: CaseIterable & RawRepresentable>(_ key: String, default defaultValue: E) throws -> E
    where E.RawValue == String {
        guard let node = value(key) else { return defaultValue }
        let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
        guard case let .scalar(scalar) = node else {
            throw source.error(path + [key], at: node,
                               "expected one of \(allowed), got \(ScenarioReader.describe(node))")
        }
        guard let value = E(rawValue: scalar.string) else {
            throw source.error(path + [key], at: node, "unknown value \"\(scalar.string)\";"
                               + "\(Suggestion.hint(for: scalar.string, among: E.allCases.map(\.rawValue))) allowed: \(allowed)")
        }
        return value
    }

    /// A list of integers, each in `element`, with a length in `count`, or `defaultValue`.
    func intList(_ key: String, default defaultValue: [Int], element: Interval<Int>,
                 count: ClosedRange<Int>) throws -> [Int] {
        guard let node = value(key) else { return defaultValue }
        guard case let .sequence(sequence) = node else {
            throw source.error(path + [key], at: node,
                               "expected a list of integers like [64, 32], got \(ScenarioReader.describe(node))")
        }
        guard count.contains(sequence.count) else {
            throw source.error(path + [key], at: node,
                               "has \(sequence.count) values; allowed: \(count.lowerBound) to \(count.upperBound) values")
        }
        let item = ScenarioReader(node, path: path + [key], source: source, elements: Array(sequence))
        var values: [Int] = []
        for (index, elementNode) in sequence.enumerated() {
            guard let value = try item.int("[\(index)]", range: element) else {
                throw source.error(path + [key, "[\(index)]"], at: elementNode, "expected an integer, got null")
            }
            values.append(value)
        }
        return values
    }

    /// One number, or a list of numbers, each in `element`, with a length in `count`; errors
    /// name `key` or `key[i]`.
    func numberList(_ key: String, element: Interval<Double>, count: ClosedRange<Int>) throws -> [Double] {
        guard let node = value(key) else { return [] }
        if case .scalar = node { return [try double(key, default: 0, range: element)] }
        guard case let .sequence(sequence) = node else {
            throw source.error(path + [key], at: node,
                               "expected a number or a list of numbers like [0.05, 0.1], got \(ScenarioReader.describe(node))")
        }
        guard count.contains(sequence.count) else {
            throw source.error(path + [key], at: node,
                               "has \(sequence.count) values; allowed: \(count.lowerBound) to \(count.upperBound) values")
        }
        let item = ScenarioReader(node, path: path + [key], source: source, elements: Array(sequence))
        return try sequence.indices.map { try item.double("[\($0)]", default: 0, range: element) }
    }

    /// Reads the section `S.key` of this mapping and checks it for unknown keys.
    func section<S: ScenarioSection>(_ type: S.Type) throws -> S {
        let child = try ScenarioReader(value(S.key), path: path + [S.key], source: source)
        let section = try S(reading: child)
        try child.finish()
        return section
    }

    /// A reader over list elements keyed `[0]`, `[1]`, ... so element errors name `key[i]`.
    private init(_ node: Node?, path: [String], source: ScenarioSource, elements: [Node]) {
        self.source = source
        self.path = path
        self.node = node
        entries = elements.enumerated().map { ("[\($0.offset)]", Entry(keyNode: $0.element, value: $0.element)) }
    }

    /// The key as rules name it: `rounds`, or `hidden[1]` for a list element.
    private func name(of key: String) -> String {
        key.hasPrefix("[") ? (path.last ?? "") + key : key
    }

    // MARK: - Scalars

    /// `null`, `~` and an empty plain value all mean "not given".
    static func isNull(_ node: Node) -> Bool {
        guard case let .scalar(scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The text of an unquoted scalar; quoted scalars are strings, never numbers or booleans.
    static func plainText(_ node: Node) -> String? {
        guard case let .scalar(scalar) = node, scalar.style == .plain || scalar.style == .any else { return nil }
        return scalar.string
    }

    /// Decimal digits with an optional sign (underscores dropped), or nil if `text` is no integer.
    static func integerDigits(_ text: String) -> String? {
        var digits = text.replacingOccurrences(of: "_", with: "")
        if digits.hasPrefix("+") { digits.removeFirst() }
        let body = digits.hasPrefix("-") ? digits.dropFirst() : Substring(digits)
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return digits
    }

    /// A finite decimal number (`1`, `0.05`, `1e-5`), or nil.
    static func number(_ text: String) -> Double? {
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        guard !cleaned.isEmpty, cleaned.allSatisfy({ "0123456789+-.eE".contains($0) }),
              let value = Double(cleaned), value.isFinite else { return nil }
        return value
    }

    /// How a wrong value looks in a message: `"abc"`, `a list`, `a mapping`, `null`.
    static func describe(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar):
            if isNull(node) { return "null" }
            if scalar.style == .plain || scalar.style == .any { return "\"\(scalar.string)\"" }
            return "\"\(scalar.string)\" (quoted, so a string)"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
