/// Text made safe for XML and XHTML (element content and attribute values).
public enum XMLText {
    /// Escapes `& < > " '` and drops the control characters XML 1.0 does not allow (all
    /// below U+0020 but tab, newline and carriage return), so any error message or file
    /// content can be embedded in the report.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// ` name="value"` pairs, escaped, in key order.
    static func attributes(_ pairs: [String: String]) -> String {
        pairs.keys.sorted().map { " \($0)=\"\(escape(pairs[$0] ?? ""))\"" }.joined()
    }
}
