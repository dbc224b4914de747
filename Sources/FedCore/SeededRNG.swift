#if canImport(Glibc)
import Glibc
#endif

/// A seeded, splittable pseudo-random generator: xoshiro256** (Blackman & Vigna, 2018),
/// seeded through SplitMix64.
///
/// Every random choice in fedsim derives from the scenario seed through `derive(_:)`, keyed by
/// what the draw is for (stream name, round, client id). Two derivations with the same keys
/// give the same stream in every process, whatever order messages arrive in, so multi-process
/// runs are reproducible bit for bit.
public struct SeededRNG: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64
    /// The 64-bit key this generator was seeded with (kept so that it can be split again).
    public let key: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) {
        key = seed
        var sm = seed
        s0 = SeededRNG.splitMix(&sm)
        s1 = SeededRNG.splitMix(&sm)
        s2 = SeededRNG.splitMix(&sm)
        s3 = SeededRNG.splitMix(&sm)
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }
    }

    /// An independent generator for the sub-stream named `label` with integer keys
    /// (for example `rng.derive("train", round, client)`). Does not advance `self`.
    public func derive(_ label: String, _ keys: Int...) -> SeededRNG {
        var h = SeededRNG.mix(key ^ 0x6A09_E667_F3BC_C908)
        for byte in label.utf8 { h = SeededRNG.mix(h ^ UInt64(byte)) }
        for k in keys { h = SeededRNG.mix(h ^ UInt64(bitPattern: Int64(k)) &+ 0x9E37_79B9_7F4A_7C15) }
        return SeededRNG(seed: h)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    // MARK: - Draws

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in 0..<bound (Lemire's nearly divisionless method, unbiased).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound; got \(bound)")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Standard normal draw (Box–Muller; one value per call, deterministic).
    public mutating func nextGaussian() -> Double {
        var u1 = nextDouble()
        while u1 <= 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Fisher–Yates shuffle with this generator (stable across Swift versions, unlike
    /// the standard library's `shuffle(using:)`, whose algorithm is not specified).
    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { a.swapAt(i, j) }
        }
    }

    /// `k` distinct indices from 0..<n in random order (partial Fisher–Yates).
    public mutating func sample(_ k: Int, from n: Int) -> [Int] {
        precondition(k >= 0 && k <= n, "cannot sample \(k) of \(n)")
        var idx = Array(0..<n)
        for i in 0..<k {
            let j = i + nextInt(below: n - i)
            if i != j { idx.swapAt(i, j) }
        }
        return Array(idx[0..<k])
    }

    // MARK: - Internals

    private static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        return mix(x)
    }

    /// SplitMix64's finaliser: a bijective 64-bit mixer.
    static func mix(_ v: UInt64) -> UInt64 {
        var z = v
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
