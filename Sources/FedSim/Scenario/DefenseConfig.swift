/// The server's aggregation rules (docs/SCENARIOS.md, `defense:`); definitions, preconditions
/// and defaults follow docs/ALGORITHMS.md section 2.
public enum AggregatorKind: String, CaseIterable, Sendable, Equatable {
    case fedavg, median, trimmedMean = "trimmed-mean", krum, multiKrum = "multi-krum", bulyan
    case geomed, centeredClipping = "centered-clipping", normBounding = "norm-bounding", fltrust, foolsgold
}

/// The number of Byzantine updates a rule is configured to tolerate: a count, or estimated
/// each round from the updates (`auto`, docs/ALGORITHMS.md section 9).
public enum FChoice: Sendable, Equatable {
    case count(Int)
    case auto
}

public enum GeomedStart: String, CaseIterable, Sendable, Equatable { case mean, zero }
public enum FoolsGoldNormalization: String, CaseIterable, Sendable, Equatable { case n, sum }

/// A rule with its parameters.
public enum AggregatorConfig: Sendable, Equatable {
    case fedavg(weighted: Bool)
    case median
    /// Trim b = f per side, or b = ⌊beta·n⌋ when `beta` is given.
    case trimmedMean(f: FChoice, beta: Double?)
    case krum(f: FChoice)
    case multiKrum(f: FChoice, m: Int?)
    case bulyan(f: FChoice)
    case geomed(iterations: Int, nu: Double, start: GeomedStart)
    /// τ as an absolute norm, or (`tau_multiple`) a multiple of the round's median update norm.
    case centeredClipping(tau: Double?, tauMultiple: Double?, iterations: Int)
    case normBounding(norm: Double, sigma: Double)
    case fltrust(rootSize: Int)
    case foolsgold(kappa: Double, normalization: FoolsGoldNormalization)

    public var kind: AggregatorKind {
        switch self {
        case .fedavg: return .fedavg
        case .median: return .median
        case .trimmedMean: return .trimmedMean
        case .krum: return .krum
        case .multiKrum: return .multiKrum
        case .bulyan: return .bulyan
        case .geomed: return .geomed
        case .centeredClipping: return .centeredClipping
        case .normBounding: return .normBounding
        case .fltrust: return .fltrust
        case .foolsgold: return .foolsgold
        }
    }

    static func defaults(_ kind: AggregatorKind) -> AggregatorConfig {
        switch kind {
        case .fedavg: return .fedavg(weighted: true)
        case .median: return .median
        case .trimmedMean: return .trimmedMean(f: .auto, beta: nil)
        case .krum: return .krum(f: .auto)
        case .multiKrum: return .multiKrum(f: .auto, m: nil)
        case .bulyan: return .bulyan(f: .auto)
        case .geomed: return .geomed(iterations: 4, nu: 1e-5, start: .mean)
        case .centeredClipping: return .centeredClipping(tau: nil, tauMultiple: 1.0, iterations: 3)
        case .normBounding: return .normBounding(norm: 3, sigma: 0)
        case .fltrust: return .fltrust(rootSize: 100)
        case .foolsgold: return .foolsgold(kappa: 1, normalization: .n)
        }
    }
}

/// Central differential privacy (DP-FedAvg, McMahan et al., ICLR 2018).
public struct DPConfig: Sendable, Equatable {
    public var noiseMultiplier: Double
    public var clip: Double
    public var delta: Double

    public init(noiseMultiplier: Double = 1.0, clip: Double = 1.0, delta: Double = 1e-5) {
        self.noiseMultiplier = noiseMultiplier
        self.clip = clip
        self.delta = delta
    }
}

/// The `defense:` section.
public struct DefenseConfig: Sendable, Equatable {
    public var aggregator: AggregatorConfig
    /// Static clipping of every update to this norm before the rule (byzfl's pre-aggregation).
    public var clipNorm: Double?
    public var dp: DPConfig?

    public init(aggregator: AggregatorConfig = .fedavg(weighted: true), clipNorm: Double? = nil, dp: DPConfig? = nil) {
        self.aggregator = aggregator
        self.clipNorm = clipNorm
        self.dp = dp
    }
}

// MARK: - Reading and writing

extension DefenseConfig: ScenarioSection {
    static let key = "defense"

    init(reading r: ScenarioReader) throws {
        let aggregator: AggregatorConfig
        if let word = r.word("aggregator") {
            guard let kind = AggregatorKind(rawValue: word) else {
                throw r.error("aggregator", "unknown value \"\(word)\"; allowed: \(AggregatorKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            aggregator = AggregatorConfig.defaults(kind)
        } else if let a = try r.optionalSection("aggregator") {
            aggregator = try AggregatorConfig(reading: a)
            try a.finish()
        } else {
            aggregator = .fedavg(weighted: true)
        }
        var clipNorm: Double?
        if let c = try r.optionalSection("clip") {
            clipNorm = try c.double("norm", default: 2.0, range: .greaterThan(0))
            try c.finish()
        }
        var dp: DPConfig?
        if let d = try r.optionalSection("dp") {
            dp = DPConfig(noiseMultiplier: try d.double("noise_multiplier", default: 1.0, range: .atLeast(0)),
                          clip: try d.double("clip", default: 1.0, range: .greaterThan(0)),
                          delta: try d.double("delta", default: 1e-5, range: .open(0, 1)))
            try d.finish()
        }
        self.init(aggregator: aggregator, clipNorm: clipNorm, dp: dp)
    }

    var resolvedFields: [(String, ResolvedValue)] {
        var fields: [(String, ResolvedValue)] = [("aggregator", .section(aggregator.resolvedFields))]
        if let clipNorm { fields.append(("clip", .section([("norm", .number(clipNorm))]))) }
        if let dp {
            fields.append(("dp", .section([("noise_multiplier", .number(dp.noiseMultiplier)), ("clip", .number(dp.clip)),
                                           ("delta", .number(dp.delta))])))
        }
        return fields
    }
}

extension AggregatorConfig {
    init(reading r: ScenarioReader) throws {
        guard r.value("kind") != nil else {
            throw r.error("kind", "missing; allowed: \(AggregatorKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let kind: AggregatorKind = try r.choice("kind", default: .fedavg)
        func f(_ d: FChoice) throws -> FChoice {
            switch try r.autoOrNumber("f", range: .atLeast(0)) {
            case nil: return d
            case .auto?: return .auto
            case let .value(x)?:
                guard x == x.rounded() else { throw r.error("f", "expected auto or a whole number of clients, got \(x)") }
                return .count(Int(x))
            }
        }
        switch AggregatorConfig.defaults(kind) {
        case let .fedavg(weighted):
            self = .fedavg(weighted: try r.bool("weighted", default: weighted))
        case .median:
            self = .median
        case let .trimmedMean(fd, _):
            let beta: Double? = r.value("beta") == nil ? nil : try r.double("beta", default: 0.1, range: .closedOpen(0, 0.5))
            if beta != nil && r.value("f") != nil { throw r.error("beta", "give either f or beta, not both") }
            self = .trimmedMean(f: try f(fd), beta: beta)
        case let .krum(fd):
            self = .krum(f: try f(fd))
        case let .multiKrum(fd, _):
            let m: Int? = try r.int("m", range: Interval(1...))
            self = .multiKrum(f: try f(fd), m: m)
        case let .bulyan(fd):
            self = .bulyan(f: try f(fd))
        case let .geomed(iterations, nu, start):
            self = .geomed(iterations: try r.int("iterations", default: iterations, range: .closed(1, 1000)),
                           nu: try r.double("nu", default: nu, range: .greaterThan(0)),
                           start: try r.choice("start", default: start))
        case let .centeredClipping(_, multiple, iterations):
            let tau: Double? = r.value("tau") == nil ? nil : try r.double("tau", default: 10, range: .greaterThan(0))
            let tm: Double? = r.value("tau_multiple") == nil ? nil : try r.double("tau_multiple", default: 1, range: .greaterThan(0))
            if tau != nil && tm != nil { throw r.error("tau", "give either tau or tau_multiple, not both") }
            self = .centeredClipping(tau: tau, tauMultiple: tau == nil ? (tm ?? multiple) : nil,
                                     iterations: try r.int("iterations", default: iterations, range: .closed(1, 100)))
        case let .normBounding(norm, sigma):
            self = .normBounding(norm: try r.double("norm", default: norm, range: .greaterThan(0)),
                                 sigma: try r.double("sigma", default: sigma, range: .atLeast(0)))
        case let .fltrust(rootSize):
            self = .fltrust(rootSize: try r.int("root_size", default: rootSize, range: Interval(1...)))
        case let .foolsgold(kappa, normalization):
            self = .foolsgold(kappa: try r.double("kappa", default: kappa, range: .greaterThan(0)),
                              normalization: try r.choice("normalization", default: normalization))
        }
    }

    var resolvedFields: [(String, ResolvedValue)] {
        func f(_ c: FChoice) -> ResolvedValue {
            switch c {
            case .auto: return .word("auto")
            case let .count(n): return .int(n)
            }
        }
        var fields: [(String, ResolvedValue)] = [("kind", .choice(kind))]
        switch self {
        case let .fedavg(weighted): fields.append(("weighted", .word(weighted ? "true" : "false")))
        case .median: break
        case let .trimmedMean(fc, beta):
            if let beta { fields.append(("beta", .number(beta))) } else { fields.append(("f", f(fc))) }
        case let .krum(fc), let .bulyan(fc): fields.append(("f", f(fc)))
        case let .multiKrum(fc, m): fields += [("f", f(fc)), ("m", m.map { .int($0) } ?? .string(nil))]
        case let .geomed(iterations, nu, start):
            fields += [("iterations", .int(iterations)), ("nu", .number(nu)), ("start", .choice(start))]
        case let .centeredClipping(tau, multiple, iterations):
            if let tau { fields.append(("tau", .number(tau))) }
            if let multiple { fields.append(("tau_multiple", .number(multiple))) }
            fields.append(("iterations", .int(iterations)))
        case let .normBounding(norm, sigma): fields += [("norm", .number(norm)), ("sigma", .number(sigma))]
        case let .fltrust(rootSize): fields.append(("root_size", .int(rootSize)))
        case let .foolsgold(kappa, normalization):
            fields += [("kappa", .number(kappa)), ("normalization", .choice(normalization))]
        }
        return fields
    }
}
