import FedCore
import FedRobust
import Foundation

/// Times every aggregation rule on one synthetic round (`fedsim bench aggregators`).
///
/// Method: one contiguous n x d Float32 matrix (`BenchMatrix`: honest N(0, 1) rows plus
/// `outliers` rows scaled x10, so that the robust rules do real work) is generated once and
/// not timed. Each registered rule is built with its scenario defaults (the f-rules with the f of
/// `Rule.f(requested:n:)`), run `warmup` times untimed (stateful rules then time steady-state
/// rounds: FoolsGold's histories and centered clipping's centre exist), then `repeats` times,
/// each call timed alone on the monotonic clock (`MonotonicClock`). Reported: the best and
/// the median of the repeats, in milliseconds. One instance per rule lives through its
/// warm-up and repeats, as the coordinator keeps one for a whole run.
///
/// With `pre` (registered pre-aggregation steps at their defaults, `--pre bucketing`), each
/// call times the chain and the rule together, as the server runs them; the rule's f is then
/// the largest legal one for the rows the chain hands it (⌈n/s⌉ after bucketing), and NNM
/// takes the rule's f as in a scenario.
public enum AggregatorBench {
    /// A registered rule to benchmark (`Registry.aggregators`), by its scenario name.
    public struct Rule: Sendable, Hashable, RawRepresentable {
        public let rawValue: String

        /// The registered rule `rawValue`, or nil.
        public init?(rawValue: String) {
            guard Registry.aggregator(rawValue) != nil else { return nil }
            self.rawValue = rawValue
        }

        private init(_ descriptor: AggregatorDescriptor) { rawValue = descriptor.name }

        /// Every registered rule, in the registry's order.
        public static var allCases: [Rule] { Registry.aggregators.map(Rule.init) }

        var descriptor: AggregatorDescriptor {
            guard let d = Registry.aggregator(rawValue) else { preconditionFailure("no registered aggregator \(rawValue)") }
            return d
        }

        /// The largest f this rule admits with n updates (its descriptor's bound); nil for
        /// rules without an f. Krum, Multi-Krum: n > 2f + 2; Bulyan: n ≥ 4f + 3; trimmed
        /// mean (b = f): n > 2b.
        public func fMax(n: Int) -> Int? { descriptor.maxF?(n) }

        /// The f this rule runs with: the largest legal f ≤ `requested`; nil when the rule
        /// has no f. Throws when no f ≥ 0 is legal (n too small for the rule).
        public func f(requested: Int, n: Int) throws -> Int? {
            guard let fMax = fMax(n: n) else { return nil }
            guard fMax >= 0 else { throw BenchError.ruleCannotRun(rule: rawValue, n: n) }
            return min(requested, fMax)
        }

        /// Whether the rule keeps state across rounds (timed on steady-state rounds).
        public var isStateful: Bool { descriptor.keepsState }

        /// Whether the rule needs the server's own root-dataset update (FLTrust).
        var needsServerUpdate: Bool { descriptor.rootDatasetSize != nil }

        /// The rule with its scenario defaults, and `f` where it takes one.
        func make(f: Int?, threads: Int) throws -> any Aggregator {
            var values = descriptor.defaults
            if let f, values.keys.contains("f") { values.set("f", .int(f)) }
            return try descriptor.make(values, options: .init(threads: threads))
        }
    }

    /// What to run.
    public struct Configuration: Sendable {
        public var n: Int
        public var d: Int
        /// Timed calls per rule (≥ 1).
        public var repeats: Int
        /// Untimed calls per rule before timing (stateful rules get at least 1).
        public var warmup: Int
        /// Requested f, also the number of outlier rows; nil: ⌊0.2 n⌋.
        public var f: Int?
        /// Rules to run, in this order; empty: all.
        public var rules: [Rule]
        public var seed: UInt64
        /// 0: library defaults (OpenBLAS and column passes on every core); k > 0: OpenBLAS
        /// and the median / trimmed-mean column passes on k threads.
        public var threads: Int
        /// Pre-aggregation steps (registered names) run before every rule, in the registry's
        /// order, each at its defaults; empty: none.
        public var pre: [String]

        public init(n: Int, d: Int, repeats: Int = 3, warmup: Int = 1, f: Int? = nil,
                    rules: [Rule] = [], seed: UInt64 = 1, threads: Int = 0, pre: [String] = []) {
            self.n = n
            self.d = d
            self.repeats = repeats
            self.warmup = warmup
            self.f = f
            self.rules = rules
            self.seed = seed
            self.threads = threads
            self.pre = pre
        }

        /// The pre-aggregation steps' descriptors in the registry's order; throws for an
        /// unknown name.
        func preDescriptors() throws -> [PreAggregationDescriptor] {
            for name in pre where Registry.preAggregation(name) == nil { throw BenchError.unknownStep(name) }
            return Registry.preAggregation.filter { pre.contains($0.name) }
        }

        /// The rows each rule sees: n, or what the pre-aggregation chain makes of n.
        func ruleRows() throws -> Int {
            try preDescriptors().reduce(n) { rows, d in try d.make(d.defaults).outputRows(n: rows) }
        }

        /// The requested f (default ⌊0.2 n⌋), which is also the number of outlier rows.
        public var requestedF: Int { f ?? (n / 5) }

        /// Throws `BenchError.invalid` for sizes, counts or f out of range.
        public func validate() throws {
            guard n >= 1, d >= 1 else { throw BenchError.invalid("n and d must be >= 1; got n = \(n), d = \(d)") }
            guard repeats >= 1 else { throw BenchError.invalid("repeat must be >= 1; got \(repeats)") }
            guard warmup >= 0 else { throw BenchError.invalid("warmup must be >= 0; got \(warmup)") }
            guard threads >= 0 else { throw BenchError.invalid("threads must be >= 0; got \(threads)") }
            guard requestedF >= 0, requestedF <= n else {
                throw BenchError.invalid("f must be in 0...n; got f = \(requestedF), n = \(n)")
            }
            _ = try resolvedF()
        }

        /// The selected rules (all when `rules` is empty) with the f each runs with.
        public func resolvedF() throws -> [(rule: Rule, f: Int?)] {
            let rows = try ruleRows()
            return try (rules.isEmpty ? Rule.allCases : rules).map { ($0, try $0.f(requested: requestedF, n: rows)) }
        }
    }

    /// The timings of one rule.
    public struct Result: Sendable, Equatable {
        public var rule: Rule
        public var n: Int
        public var d: Int
        /// The f the rule ran with; for rules without an f, the number of outlier rows.
        public var f: Int
        /// Whether the rule takes an f at all.
        public var usesF: Bool
        public var outliers: Int
        /// Each timed call, in milliseconds, in order.
        public var timesMs: [Double]
        public var warmup: Int
        public var threads: Int
        /// The pre-aggregation steps timed with the rule (registry order).
        public var pre: [String] = []

        public var bestMs: Double { timesMs.min() ?? .nan }
        /// Median of the repeats (mean of the two middle ones for an even count).
        public var medianMs: Double { AggregatorBench.median(timesMs) }
    }

    /// The memory floor at this size: `ReadPass.sum`, a threaded pass that only reads the
    /// matrix, timed like a rule. Rules that read every value cannot beat it.
    public struct Floor: Sendable, Equatable {
        public var n: Int
        public var d: Int
        public var timesMs: [Double]
        public var bestMs: Double { timesMs.min() ?? .nan }
        public var medianMs: Double { AggregatorBench.median(timesMs) }
        /// Read bandwidth of the best pass, in GB/s (10⁹ bytes).
        public var gigabytesPerSecond: Double { Double(4 * n * d) / (bestMs * 1e6) }
    }

    /// The compute floor: `ComputePass`, multiply-adds in registers on every core, timed like
    /// a rule. A rule that needs the Gram matrix of the n x d updates
    /// (n(n+1)/2 · d multiply-adds) cannot beat `gramMs`.
    public struct ComputeFloor: Sendable, Equatable {
        public var n: Int
        public var d: Int
        /// Threads the pass ran on: every core.
        public var threads: Int
        /// Multiply-adds per timed pass.
        public var multiplyAdds: Double
        public var timesMs: [Double]
        public var bestMs: Double { timesMs.min() ?? .nan }
        public var medianMs: Double { AggregatorBench.median(timesMs) }
        /// Float multiply-adds per second of the best pass, in units of 10⁹.
        public var gigaMultiplyAddsPerSecond: Double { multiplyAdds / (bestMs * 1e6) }
        /// The least time the n x d Gram matrix can take at that rate, in ms.
        public var gramMs: Double { ComputePass.gramMultiplyAdds(n: n, d: d) / (gigaMultiplyAddsPerSecond * 1e6) }
    }

    /// Median (mean of the two middle values for an even count); NaN for none.
    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Generates the matrix, times the memory floor (reported through `floor`) and every
    /// selected rule, calling `progress` after each.
    public static func run(_ config: Configuration, progress: (Result) -> Void = { _ in },
                           floor: (Floor) -> Void = { _ in },
                           computeFloor: (ComputeFloor) -> Void = { _ in }) throws -> [Result] {
        try config.validate()
        // Every f is resolved first, so that a rule that cannot run fails before the long part.
        let plan = try config.resolvedF()
        if config.threads > 0 { setBLASThreads(config.threads) }
        let data = BenchMatrix(n: config.n, d: config.d, outliers: config.requestedF, seed: config.seed)
        floor(timeFloor(data: data, config: config))
        computeFloor(timeComputeFloor(config: config))
        var results: [Result] = []
        for (rule, f) in plan {
            let r = try time(rule, f: f, data: data, config: config)
            progress(r)
            results.append(r)
        }
        return results
    }

    /// Warm-up and timed passes of `ReadPass.sum` over `data`.
    static func timeFloor(data: BenchMatrix, config: Configuration) -> Floor {
        var times: [Double] = []
        var sink = 0.0
        for call in 0..<(config.warmup + config.repeats) {
            let start = MonotonicClock.nanoseconds()
            sink += ReadPass.sum(data.updates)
            let elapsed = MonotonicClock.nanoseconds() - start
            if call >= config.warmup { times.append(Double(elapsed) / 1e6) }
        }
        precondition(sink.isFinite, "bench: the synthetic matrix holds a non-finite value")
        return Floor(n: config.n, d: config.d, timesMs: times)
    }

    /// Warm-up and timed passes of `ComputePass` on every core.
    static func timeComputeFloor(config: Configuration, iterations: Int = ComputePass.defaultIterations) -> ComputeFloor {
        // Every core, whatever `--threads` says: it sets BLAS's threads, while the Gram kernel
        // (and so Krum, Multi-Krum, Bulyan and FoolsGold) runs on the kernels' pool, one thread
        // per core. Four tasks per core, taken as they finish: a core that another process
        // holds for a moment then costs a fraction of the pass, not half of it.
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let tasks = threads == 1 ? 1 : 4 * threads
        let perTask = max(1, iterations * threads / tasks)
        var times: [Double] = []
        var work = 0.0, sink = 0.0
        for call in 0..<(config.warmup + config.repeats) {
            let start = MonotonicClock.nanoseconds()
            let pass = ComputePass.run(tasks: tasks, iterations: perTask)
            let elapsed = MonotonicClock.nanoseconds() - start
            (work, sink) = (pass.multiplyAdds, sink + pass.checksum)
            if call >= config.warmup { times.append(Double(elapsed) / 1e6) }
        }
        precondition(sink.isFinite, "bench: the compute pass overflowed")
        return ComputeFloor(n: config.n, d: config.d, threads: threads, multiplyAdds: work, timesMs: times)
    }

    /// Warm-up and timed calls of one rule on `data`.
    static func time(_ rule: Rule, f: Int?, data: BenchMatrix, config: Configuration) throws -> Result {
        var aggregator = try rule.make(f: f, threads: config.threads)
        let chain = PreAggregationChain(try config.preDescriptors().map { d in
            var values = d.defaults
            if let f, values.keys.contains("f") { values.set("f", .int(f), given: false) }
            return try d.make(values)
        })
        try chain.check(n: data.updates.rows)
        try aggregator.check(n: chain.outputRows(n: data.updates.rows))
        let root = SeededRNG(seed: config.seed)
        let warmup = rule.isStateful ? max(1, config.warmup) : config.warmup
        var times: [Double] = []
        for call in 0..<(warmup + config.repeats) {
            let round = call + 1
            let start = MonotonicClock.nanoseconds()
            var updates = data.updates, ids = data.clientIds, weights = data.weights
            if !chain.steps.isEmpty {
                let prepared = try chain.apply(updates, clientIds: ids, weights: weights, round: round,
                                               rng: root.derive("bench-preaggregate", round))
                (updates, ids, weights) = (prepared.updates, prepared.clientIds, prepared.weights)
            }
            let context = AggregationContext(
                round: round, clientIds: ids, weights: weights,
                serverUpdate: rule.needsServerUpdate ? data.serverUpdate : nil,
                rng: root.derive("bench-round", round))
            let result = try aggregator.aggregate(updates, context: context)
            let elapsed = MonotonicClock.nanoseconds() - start
            guard result.aggregate.count == data.updates.columns else {
                throw BenchError.invalid("\(rule.rawValue) returned \(result.aggregate.count) values for d = \(data.updates.columns)")
            }
            if call >= warmup { times.append(Double(elapsed) / 1e6) }
        }
        return Result(rule: rule, n: config.n, d: config.d, f: f ?? data.outliers, usesF: f != nil,
                      outliers: data.outliers, timesMs: times, warmup: warmup, threads: config.threads,
                      pre: chain.steps.map(\.name))
    }
}

/// Why a benchmark cannot run.
public enum BenchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No f ≥ 0 satisfies the rule's precondition at this n.
    case ruleCannotRun(rule: String, n: Int)
    /// An option is out of range (the message has the numbers).
    case invalid(String)
    /// An unknown rule name in `--only`.
    case unknownRule(String)
    /// An unknown pre-aggregation step in `--pre`.
    case unknownStep(String)

    public var description: String {
        switch self {
        case let .ruleCannotRun(rule, n):
            return "\(rule) cannot run with n = \(n), even with f = 0 (leave it out with --only)"
        case let .invalid(message):
            return message
        case let .unknownRule(name):
            let known = AggregatorBench.Rule.allCases.map(\.rawValue).joined(separator: ", ")
            return "unknown aggregator '\(name)'; known: \(known)"
        case let .unknownStep(name):
            return "unknown pre-aggregation step '\(name)'; known: \(Registry.preAggregation.map(\.name).joined(separator: ", "))"
        }
    }
}

extension AggregatorBench.Rule {
    /// Parses a comma-separated list of rule names ("median,krum"); throws on an unknown name.
    public static func parseList(_ text: String) throws -> [Self] {
        try text.split(separator: ",").map { part in
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let rule = Self(rawValue: name) else { throw BenchError.unknownRule(name) }
            return rule
        }
    }
}
