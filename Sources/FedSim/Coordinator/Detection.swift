/// How well a rule kept malicious updates out in one round, from its per-client decisions and
/// the ground truth (evaluation only).
///
/// A malicious update the rule excluded (`selected == false`) is a true positive; an honest
/// one it excluded is a false positive. The rates are over the updates that arrived.
public struct Detection: Sendable, Equatable {
    public var maliciousSelected: Int
    public var maliciousExcluded: Int
    public var honestSelected: Int
    public var honestExcluded: Int
    /// Summed normalised weight of the malicious updates in the aggregate (0...1).
    public var maliciousWeight: Double

    public init(selected: [Bool], weights: [Double], malicious: [Bool]) {
        precondition(selected.count == malicious.count && weights.count == malicious.count,
                     "Detection: \(selected.count) decisions, \(weights.count) weights, \(malicious.count) labels")
        var ms = 0, me = 0, hs = 0, he = 0
        var mw = 0.0
        for i in malicious.indices {
            switch (malicious[i], selected[i]) {
            case (true, true): ms += 1
            case (true, false): me += 1
            case (false, true): hs += 1
            case (false, false): he += 1
            }
            if malicious[i] { mw += weights[i] }
        }
        maliciousSelected = ms
        maliciousExcluded = me
        honestSelected = hs
        honestExcluded = he
        maliciousWeight = mw
    }

    /// Share of the malicious updates that were excluded; nil when none arrived.
    public var truePositiveRate: Double? {
        let m = maliciousSelected + maliciousExcluded
        return m == 0 ? nil : Double(maliciousExcluded) / Double(m)
    }

    /// Share of the excluded updates that were malicious (precision); nil when none was excluded.
    public var precision: Double? {
        let e = maliciousExcluded + honestExcluded
        return e == 0 ? nil : Double(maliciousExcluded) / Double(e)
    }

    /// Share of the honest updates that were excluded; nil when none arrived.
    public var falsePositiveRate: Double? {
        let h = honestSelected + honestExcluded
        return h == 0 ? nil : Double(honestExcluded) / Double(h)
    }
}
