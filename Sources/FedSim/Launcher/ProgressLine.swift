/// The live progress line as fields that fit a terminal's width.
///
/// Each field has a priority; when the line would be wider than the terminal, the field of the
/// lowest priority goes first, then the next, until it fits. If the fields that are never
/// dropped (the round and the accuracy) are still too wide, the line is cut and ends in "…".
/// The line never takes the last column, so a terminal that wraps on it never scrolls.
///
/// The order fields are dropped in (docs/CLI.md, "The progress line"): the bar, elapsed, loss,
/// updates, ETA, then malicious kept out, epsilon, ASR; the round and accuracy stay.
public struct ProgressLine: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var text: String
        /// Higher stays longer; `Int.max` is never dropped.
        public var priority: Int
        public init(_ text: String, priority: Int) {
            self.text = text
            self.priority = priority
        }
    }

    public var fields: [Field]

    public init(_ fields: [Field]) { self.fields = fields }

    /// Priorities of the run line's fields, highest kept longest.
    public enum Priority {
        public static let essential = Int.max
        public static let asr = 80, epsilon = 70, keptOut = 60, eta = 50, updates = 40, loss = 30, elapsed = 20, bar = 10
    }

    /// The line in at most `width - 1` columns (each character of these fields is one column).
    public func render(width: Int) -> String {
        let limit = max(1, width - 1)
        var kept = fields
        func joined() -> String { kept.map(\.text).joined(separator: "  ") }
        while joined().count > limit, let drop = kept.indices.filter({ kept[$0].priority != Priority.essential })
                .min(by: { kept[$0].priority < kept[$1].priority }) {
            kept.remove(at: drop)
        }
        let line = joined()
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }

    /// A bar of `cells` characters, `done` of `total` filled.
    public static func bar(done: Int, total: Int, cells: Int = 20) -> String {
        let filled = total > 0 ? min(cells, cells * max(0, done) / total) : cells
        return String(repeating: "█", count: filled) + String(repeating: "·", count: cells - filled)
    }

    /// `m:ss` (or `h:mm:ss` from an hour).
    public static func clock(_ seconds: Double) -> String {
        let s = seconds.isFinite ? max(0, Int(seconds.rounded())) : 0
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }

    /// The live line of a round: round, accuracy, and the headline figures that apply (ASR
    /// when the attack has a success metric, epsilon when the accountant's applies, the
    /// malicious updates the rule kept out when malicious updates arrived and the rule decided).
    public static func round(_ r: RoundRecord, total: Int, elapsed: Double, eta: Double) -> ProgressLine {
        typealias P = Priority
        var f: [Field] = [Field("round \(r.round)/\(total)", priority: P.essential),
                          Field(bar(done: r.round, total: total), priority: P.bar),
                          Field("acc " + fixed(r.testAccuracy, 4), priority: P.essential)]
        if let asr = r.attackSuccessRate { f.append(Field("asr " + fixed(asr, 3), priority: P.asr)) }
        if let eps = r.epsilon { f.append(Field("eps " + fixed(eps, 2), priority: P.epsilon)) }
        if let kept = keptOut(r) { f.append(Field("kept out " + kept, priority: P.keptOut)) }
        f.append(Field("loss " + fixed(r.testLoss, 4), priority: P.loss))
        f.append(Field("updates \(r.received)/\(r.sampled)" + (r.rejected > 0 ? " (\(r.rejected) rejected)" : ""),
                       priority: P.updates))
        f.append(Field("elapsed " + clock(elapsed), priority: P.elapsed))
        f.append(Field("eta " + clock(eta), priority: P.eta))
        return ProgressLine(f)
    }

    /// A round as one plain line (logs, CI, TERM=dumb): every figure, as key=value.
    public static func plainRound(_ r: RoundRecord, total: Int, elapsed: Double, eta: Double) -> String {
        var parts = ["round \(r.round)/\(total)", "accuracy=" + fixed(r.testAccuracy, 4)]
        if let asr = r.attackSuccessRate { parts.append("asr=" + fixed(asr, 4)) }
        if let eps = r.epsilon { parts.append("epsilon=" + fixed(eps, 3)) }
        if let kept = keptOut(r) { parts.append("kept_out=" + kept) }
        parts += ["loss=" + fixed(r.testLoss, 4), "received=\(r.received)/\(r.sampled)", "rejected=\(r.rejected)",
                  "elapsed=" + fixed(elapsed, 1) + "s", "eta=" + fixed(eta, 1) + "s"]
        return parts.joined(separator: " ")
    }

    /// "3/3": malicious updates the rule excluded, of those that arrived; nil when none arrived
    /// or the rule made no per-client decision.
    static func keptOut(_ r: RoundRecord) -> String? {
        guard let d = r.detection else { return nil }
        let m = d.maliciousSelected + d.maliciousExcluded
        return m > 0 ? "\(d.maliciousExcluded)/\(m)" : nil
    }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : (x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf"))
    }
}
