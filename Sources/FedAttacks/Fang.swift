import FedCore

/// Fang's full-knowledge Trim / Median attack (Fang, Cao, Jia & Gong, "Local Model Poisoning
/// Attacks to Byzantine-Robust Federated Learning", USENIX Security 2020), as in
/// docs/ALGORITHMS.md 3.6b: per coordinate j, with `s_j = sign(mean_j(benign))`,
/// `hi_j = max_j(benign)`, `lo_j = min_j(benign)` and b = `factor` (default 2), each attacker
/// draws a value just beyond the honest range on the side opposite to `s_j`:
///
///     s_j > 0:  U[lo_j/b, lo_j] if lo_j > 0, else U[b·lo_j, lo_j]
///     s_j ≤ 0:  U[hi_j, b·hi_j] if hi_j > 0, else U[hi_j, hi_j/b]
///
/// Attackers draw independently from `rng` (row after row). `needsCollusion` is true (needs at
/// least 1 benign row). The Krum-targeted variant is `FangKrum`.
public struct Fang: ModelAttack, Equatable {
    /// b > 1.
    public let factor: Double
    public var name: String { "fang" }
    public var needsCollusion: Bool { true }

    public init(factor: Double = 2) throws {
        try requireFinite(factor, "factor", attack: "fang")
        guard factor > 1 else {
            throw AttackError.parameter(attack: "fang", message: "factor must be greater than 1; got \(factor)")
        }
        self.factor = factor
    }

    /// The interval [low, high] coordinate j is drawn from, given its mean, min and max.
    public func interval(mean: Double, lo: Double, hi: Double) -> (low: Double, high: Double) {
        if mean > 0 {
            return lo > 0 ? (lo / factor, lo) : (factor * lo, lo)
        }
        return hi > 0 ? (hi, factor * hi) : (hi, hi / factor)
    }

    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix {
        try input.requireBenign(attack: name, atLeast: 1)
        let b = input.benign, d = b.columns
        let mu = meanRowDouble(b)
        var lo = [Double](repeating: .infinity, count: d)
        var hi = [Double](repeating: -.infinity, count: d)
        b.values.withUnsafeBufferPointer { buf in
            for i in 0..<b.rows {
                for j in 0..<d {
                    let v = Double(buf[i * d + j])
                    lo[j] = min(lo[j], v)
                    hi[j] = max(hi[j], v)
                }
            }
        }
        let ranges = (0..<d).map { interval(mean: mu[$0], lo: lo[$0], hi: hi[$0]) }
        var out = UpdateMatrix(rows: input.own.rows, columns: d)
        for i in 0..<input.own.rows {
            for j in 0..<d {
                let (l, h) = ranges[j]
                out.values[i * d + j] = Float(l + (h - l) * rng.nextDouble())
            }
        }
        return out
    }
}

extension Fang {
    public static let descriptor = AttackDescriptor(
        name: "fang", summary: "per-coordinate values past the honest extremes against the mean's sign, the trim/median attack (Fang et al., USENIX Security 2020)",
        parameters: [Parameter("factor", .number(.greaterThan(1)), default: .number(2), doc: "how far past the honest extreme the values are drawn")],
        role: .model { values in try Fang(factor: values.double("factor")) }, needsHub: true)
}
