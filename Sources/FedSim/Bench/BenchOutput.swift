import FedRobust
import Foundation

/// Machine-readable benchmark lines, shared by `fedsim bench` and scripts/bench_reference.py.
///
/// Text: `bench aggregator=median impl=fedsim n=100 d=1000000 f=20 best_ms=152.300 …` (one
/// result per line, `key=value` separated by single spaces, no spaces inside values), one
/// `floor pass=read …` line (the memory floor), one `floor pass=fma …` line (the compute
/// floor) and header lines starting with `# `. JSON: one
/// object per line, `"type": "bench"` for results, `"floor"` for the floor and `"header"` for
/// the header.
public enum BenchOutput {
    public enum Format: String, CaseIterable, Sendable {
        case text
        case json
    }

    /// A line's fields in order; values are numbers or plain words.
    public typealias Fields = [(key: String, value: String)]

    /// The fields of one result.
    public static func fields(_ r: AggregatorBench.Result) -> Fields {
        [("aggregator", r.rule.rawValue), ("impl", "fedsim"), ("n", "\(r.n)"), ("d", "\(r.d)"),
         ("f", "\(r.f)"), ("best_ms", ms(r.bestMs)), ("median_ms", ms(r.medianMs)),
         ("repeats", "\(r.timesMs.count)"), ("warmup", "\(r.warmup)"), ("outliers", "\(r.outliers)"),
         ("f_param", r.usesF ? "yes" : "no"), ("threads", "\(r.threads)")]
            + (r.pre.isEmpty ? [] : [("pre", r.pre.joined(separator: "+"))])
    }

    /// The memory floor (`AggregatorBench.Floor`) as fields.
    public static func fields(_ f: AggregatorBench.Floor) -> Fields {
        [("pass", "read"), ("impl", "fedsim"), ("n", "\(f.n)"), ("d", "\(f.d)"), ("best_ms", ms(f.bestMs)),
         ("median_ms", ms(f.medianMs)), ("repeats", "\(f.timesMs.count)"),
         ("gb_per_s", String(format: "%.1f", f.gigabytesPerSecond))]
    }

    /// The compute floor (`AggregatorBench.ComputeFloor`) as fields.
    public static func fields(_ f: AggregatorBench.ComputeFloor) -> Fields {
        [("pass", "fma"), ("impl", "fedsim"), ("n", "\(f.n)"), ("d", "\(f.d)"), ("threads", "\(f.threads)"),
         ("best_ms", ms(f.bestMs)), ("median_ms", ms(f.medianMs)), ("repeats", "\(f.timesMs.count)"),
         ("gfma_per_s", String(format: "%.1f", f.gigaMultiplyAddsPerSecond)), ("gram_floor_ms", ms(f.gramMs))]
    }

    /// The header: what ran and how it was measured.
    public static func header(_ c: AggregatorBench.Configuration, cores: Int) -> Fields {
        [("impl", "fedsim"), ("n", "\(c.n)"), ("d", "\(c.d)"), ("outliers", "\(c.requestedF)"),
         ("outlier_scale", "10"), ("seed", "\(c.seed)"), ("repeats", "\(c.repeats)"), ("warmup", "\(c.warmup)"),
         ("threads", "\(c.threads)"), ("cores", "\(cores)"), ("clock", MonotonicClock.name),
         ("dtype", "float32"), ("layout", "contiguous_row_major"), ("kernels", KernelISA.current)]
            + (c.pre.isEmpty ? [] : [("pre", ((try? c.preDescriptors().map(\.name)) ?? c.pre).joined(separator: "+"))])
    }

    /// Notes printed once under the header (comments in text, a "notes" field in JSON).
    public static let notes = [
        "timing: one aggregate() call each, data generation untimed; best and median of the repeats",
        "f: the largest legal f <= the requested f for krum/multi-krum (n > 2f+2), bulyan (n >= 4f+3), "
            + "trimmed-mean (b = f, n > 2b); for the other rules f = the number of outlier rows",
        "foolsgold and centered-clipping: timed on steady-state rounds (>= 1 warm-up aggregation "
            + "first, so FoolsGold's histories and the CC centre exist)",
        "floor: one threaded pass that only reads the n x d matrix, the memory floor of every rule "
            + "that reads every value (fedavg, median, the Gram matrix)",
        "floor pass=fma: multiply-adds in registers on every core; gram_floor_ms = n(n+1)/2 * d at that "
            + "rate, the compute floor of every rule built on the Gram matrix (krum, multi-krum, bulyan, foolsgold)",
    ]

    /// One result or header as a line in `format`.
    public static func line(_ fields: Fields, type: String, format: Format) -> String {
        switch format {
        case .text:
            let body = fields.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            return type == "bench" || type == "floor" ? "\(type) \(body)" : "# \(type) \(body)"
        case .json:
            let body = fields.map { "\"\($0.key)\": \(jsonValue($0.value))" }.joined(separator: ", ")
            return "{\"type\": \"\(type)\", \(body)}"
        }
    }

    /// The notes in `format`.
    public static func notesLine(format: Format) -> String {
        switch format {
        case .text: return notes.map { "# note: \($0)" }.joined(separator: "\n")
        case .json:
            let items = notes.map { "\"\(escape($0))\"" }.joined(separator: ", ")
            return "{\"type\": \"notes\", \"impl\": \"fedsim\", \"notes\": [\(items)]}"
        }
    }

    /// Parses a text result line (`bench k=v k=v …`) into its fields; nil for any other line.
    public static func parse(_ line: String, type: String = "bench") -> [String: String]? {
        let parts = line.split(separator: " ")
        guard parts.first.map(String.init) == type, parts.count > 1 else { return nil }
        var out: [String: String] = [:]
        for p in parts.dropFirst() {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { return nil }
            out[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        return out
    }

    /// Milliseconds with 4 decimals (sub-microsecond resolution at small sizes).
    static func ms(_ v: Double) -> String { String(format: "%.4f", v) }

    private static func jsonValue(_ v: String) -> String {
        (Double(v)?.isFinite ?? false) ? v : "\"\(escape(v))\""
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
