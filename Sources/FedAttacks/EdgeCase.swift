import FedCore

/// Edge-case backdoor (Wang, Sreenivasan, Rajput, Vishwakarma, Agarwal, Sohn, Lee &
/// Papailiopoulos, "Attack of the Tails: Yes, You Really Can Backdoor Federated Learning",
/// NeurIPS 2020): the target behaviour on rare inputs from the tail of the data distribution,
/// which honest clients hardly ever hold, so their updates do not undo it.
///
/// The edge cases are a sub-style of the `source` class: its samples farthest (L2) from the
/// class mean, the `tail` share of them (k = max(1, round(tail · count)); ties: the lower
/// index first). The attacker takes the edge cases among its own samples (their mean is its own
/// class mean) and relabels them to `target`: appended as `copies` relabelled copies to its
/// intact data (`poisoning: append`, as the authors mix edge-case points into clean data), or
/// relabelled in place (`replace`). During training its model is kept inside the L2 ball of
/// `radius` around the global model by projection after every step (their PGD; `radius: 0`
/// turns it off; FedSGD mode has no local steps to project). Success: the share of the test
/// set's edge cases (the same rule on the test set's source class) classified as the target.
///
/// Departure: the authors bring edge cases from another dataset (ARDIS sevens for EMNIST,
/// Southwest airplanes for CIFAR-10); fedsim draws them from the tail of the data at hand, so
/// no extra data is needed, at the price of edge cases that honest clients do hold (labelled
/// correctly).
public struct EdgeCase: DataAttack, Equatable {
    public let source: Int
    public let target: Int
    public let tail: Double
    public let copies: Int
    public let keepClean: Bool
    public var name: String { "edge-case" }

    public init(source: Int = 7, target: Int = 1, tail: Double = 0.3, copies: Int = 3, keepClean: Bool = true) throws {
        guard source >= 0, target >= 0, source != target else {
            throw AttackError.parameter(attack: "edge-case", message: "source and target must be two different classes; got \(source) and \(target)")
        }
        guard tail > 0, tail <= 1 else {
            throw AttackError.parameter(attack: "edge-case", message: "tail must be in (0, 1]; got \(tail)")
        }
        guard copies >= 1 else {
            throw AttackError.parameter(attack: "edge-case", message: "copies must be at least 1; got \(copies)")
        }
        self.source = source
        self.target = target
        self.tail = tail
        self.copies = copies
        self.keepClean = keepClean
    }

    /// The edge cases of `data`: indices of its `source` samples farthest from their mean,
    /// farthest first.
    public func edgeCases(_ data: Dataset) -> [Int] {
        let members = data.labels.indices.filter { data.labels[$0] == Int32(source) }
        guard !members.isEmpty else { return [] }
        let d = data.dimension
        var mean = [Double](repeating: 0, count: d)
        for i in members { for j in 0..<d { mean[j] += Double(data.features[i * d + j]) } }
        for j in 0..<d { mean[j] /= Double(members.count) }
        let distance = members.map { i in
            (0..<d).reduce(0.0) { s, j in let e = Double(data.features[i * d + j]) - mean[j]; return s + e * e }
        }
        let k = min(members.count, max(1, Int((tail * Double(members.count)).rounded())))
        let order = members.indices.sorted { a, b in
            distance[a] != distance[b] ? distance[a] > distance[b] : members[a] < members[b]
        }
        return order.prefix(k).map { members[$0] }
    }

    public func poison(_ data: Dataset, rng: inout SeededRNG) -> Dataset {
        let edge = edgeCases(data)
        guard !edge.isEmpty else { return data }
        var out = data
        if keepClean {
            var extra = data.subset(Array(repeating: edge, count: copies).flatMap { $0 })
            for i in extra.labels.indices { extra.labels[i] = Int32(target) }
            out.features.append(contentsOf: extra.features)
            out.labels.append(contentsOf: extra.labels)
        } else {
            for i in edge { out.labels[i] = Int32(target) }
        }
        return out
    }
}

/// The edge-case attacker's projection: its model stays within `radius` of the global model.
public struct EdgeCaseProjection: ModelAttack, Equatable {
    public let radius: Double?
    public var name: String { "edge-case" }
    public var needsCollusion: Bool { false }

    public init(radius: Double?) throws {
        if let radius, !(radius > 0 && radius.isFinite) {
            throw AttackError.parameter(attack: "edge-case", message: "radius must be positive; got \(radius)")
        }
        self.radius = radius
    }

    public func trainingAdjustment(global: [Float], previousGlobalChange: [Float]?) -> GradientAdjustment? {
        radius.map { .ball(center: global, radius: $0) }
    }

    public func craft(_ input: AttackInput, rng: inout SeededRNG) throws -> UpdateMatrix { input.own }
}

extension EdgeCase {
    public static let descriptor = AttackDescriptor(
        name: "edge-case",
        summary: "the tail of one class (its samples farthest from the class mean) relabelled, trained inside a norm ball around the global model (Wang et al., NeurIPS 2020)",
        parameters: [
            Parameter("source", .integer(Interval(0...)), default: .int(7), doc: "class whose tail samples are the edge cases"),
            Parameter("target", .integer(Interval(0...)), default: .int(1), doc: "class the edge cases should be classified as"),
            Parameter("tail", .number(.openClosed(0, 1)), default: .number(0.3), doc: "share of the source class, farthest from its mean, counted as edge cases"),
            Parameter("copies", .integer(.closed(1, 100)), default: .int(3), doc: "relabelled copies of each edge case appended (append)"),
            Parameter("poisoning", .choice(["append", "replace"]), default: .word("append"),
                      doc: "append: relabelled copies added to the intact data; replace: the edge cases relabelled in place"),
            Parameter("radius", .number(.atLeast(0)), default: .number(2), doc: "L2 ball around the global model the attacker's model is projected into after every step; 0: no projection"),
            Parameter("boost", .autoOrNumber(.greaterThan(0)), default: .number(1), doc: "factor on the delta (model replacement); auto: n / (f eta)"),
        ],
        role: .dataAndModel(data: { values, facts in
            let attack = try make(values)
            guard attack.source < facts.classes, attack.target < facts.classes else {
                throw AttackError.parameter(attack: "edge-case", message: "source \(attack.source) or target \(attack.target) out of range for \(facts.classes) classes")
            }
            return attack
        }, model: { values in
            let r = values.double("radius")
            return try EdgeCaseProjection(radius: r > 0 ? r : nil)
        }),
        successMetric: AttackDescriptor.SuccessMetric(
            name: "edge-case", doc: "share of the test set's edge cases (the source class's tail) classified as the target"
        ) { values, test, _ in
            let attack = try make(values)
            return AttackDescriptor.SuccessProbe(inputs: test.subset(attack.edgeCases(test)), target: attack.target)
        },
        boost: { values in values.autoOrDouble("boost").map { .factor($0) } ?? .auto })

    static func make(_ values: ParameterValues) throws -> EdgeCase {
        try EdgeCase(source: values.int("source"), target: values.int("target"), tail: values.double("tail"),
                     copies: values.int("copies"), keepClean: values.word("poisoning") == "append")
    }
}
