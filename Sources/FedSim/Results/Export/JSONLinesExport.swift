/// metrics.jsonl: one JSON object per round, `{"run": ..., "round": 1, "timestamp_ms": ...,
/// "test_accuracy": 0.81, ...}`, with every non-empty column of rounds.csv under its name
/// (figures as numbers, reject_reasons and note as strings).
enum JSONLinesExport {
    static func text(_ m: RunMetrics) -> String {
        var out = ""
        for r in m.rounds {
            var fields = ["\"run\": " + quoted(m.name), "\"round\": \(r.step)", "\"timestamp_ms\": \(r.timestampMs)"]
            for (name, value) in r.values {
                switch value {
                case .number(let v): fields.append(quoted(name) + ": " + number(v))
                case .text(let s): fields.append(quoted(name) + ": " + quoted(s))
                }
            }
            out += "{" + fields.joined(separator: ", ") + "}\n"
        }
        return out
    }

    /// Whole numbers without a fraction (`10`, not `10.0`); NaN and infinities (not JSON) as null.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
