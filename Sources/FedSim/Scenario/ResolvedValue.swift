/// A value in the resolved scenario, written back as YAML that reads to the same value.
indirect enum ResolvedValue {
    /// An integer, written in decimal.
    case integer(String)
    /// A finite number, written in Swift's shortest round-trip form (`0.05`, `1.0`, `1e-05`).
    case number(Double)
    /// A string, always double-quoted; nil is written `null`.
    case string(String?)
    /// A case name (enum raw value), written plain.
    case word(String)
    /// A flow list of integers: `[64, 32]`.
    case integers([Int])
    /// A flow list of finite numbers: `[0.05, 0.1]`.
    case numbers([Double])
    /// A nested mapping.
    case section([(String, ResolvedValue)])
    /// A list of mappings, written in block style (`- key: value`); `[]` when empty.
    case mappings([[(String, ResolvedValue)]])

    static func int<T: BinaryInteger>(_ value: T) -> ResolvedValue { .integer(String(value)) }

    /// `auto` or the number.
    static func autoOr(_ value: AutoOr<Double>) -> ResolvedValue {
        switch value {
        case .auto: return .word("auto")
        case let .value(v): return .number(v)
        }
    }

    /// A fraction as a number, a count as an integer.
    static func share(_ value: ClientShare) -> ResolvedValue {
        switch value {
        case let .fraction(f): return .number(f)
        case let .count(c): return .int(c)
        }
    }

    static func choice<E: RawRepresentable>(_ value: E) -> ResolvedValue where E.RawValue == String {
        .word(value.rawValue)
    }

    static func entry<S: ScenarioSection>(_ value: S) -> (String, ResolvedValue) {
        (S.key, .section(value.resolvedFields))
    }

    /// Block-style YAML for `fields`, two spaces per level, in the given order.
    static func yaml(_ fields: [(String, ResolvedValue)], indent: String = "") -> String {
        var text = ""
        for (key, value) in fields {
            switch value {
            case let .section(children):
                text += "\(indent)\(key):\n" + yaml(children, indent: indent + "  ")
            case let .mappings(items) where !items.isEmpty:
                text += "\(indent)\(key):\n"
                for item in items {
                    let body = yaml(item, indent: indent + "    ")
                    text += indent + "  - " + body.dropFirst(indent.count + 4)
                }
            default:
                text += "\(indent)\(key): \(value.scalarText)\n"
            }
        }
        return text
    }

    private var scalarText: String {
        switch self {
        case let .integer(text), let .word(text): return text
        case let .number(value): return "\(value)"
        case let .string(text?): return Self.quoted(text)
        case .string(nil): return "null"
        case let .integers(values): return "[" + values.map(String.init).joined(separator: ", ") + "]"
        case let .numbers(values): return "[" + values.map { "\($0)" }.joined(separator: ", ") + "]"
        case .section: return "{}"
        case .mappings: return "[]"
        }
    }

    /// A YAML double-quoted string: backslash, quote and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
