import FedCore

/// A pixel-pattern backdoor trigger (BadNets): a `size × size` square of `value`.
///
/// On images of side `s = √dimension` (when `dimension` is a perfect square) the square is
/// stamped in the corner given by `position`; the size is clamped to `s`. When `dimension` is
/// not a perfect square there is no image geometry and the trigger overwrites the last
/// `size·size` features (clamped to `dimension`), whatever the position.
public struct Trigger: Sendable, Equatable {
    /// Where the square goes on a square image.
    public enum Position: Sendable, Equatable, CaseIterable {
        case bottomRight, bottomLeft, topRight, topLeft
    }

    /// Side of the square in pixels (default 3, for the 8 × 8 digits images; the usual MNIST
    /// choice on 28 × 28 images is 5).
    public var size: Int
    /// Value written into the trigger pixels (default 1, white after [0, 1] scaling).
    public var value: Float
    public var position: Position

    public init(size: Int = 3, value: Float = 1, position: Position = .bottomRight) {
        self.size = size
        self.value = value
        self.position = position
    }

    /// Feature indices (within one sample of shape `shape`) the trigger overwrites, in
    /// increasing order: on `[C, H, W]` images the `size × size` square (clamped to the
    /// smaller side) in every channel; otherwise `indices(dimension:)`.
    public func indices(shape: [Int]) -> [Int] {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else { return indices(dimension: shape.reduce(1, *)) }
        let (c, h, w) = (shape[0], shape[1], shape[2])
        guard size > 0 else { return [] }
        let k = min(size, h, w)
        let top = (position == .topLeft || position == .topRight) ? 0 : h - k
        let left = (position == .topLeft || position == .bottomLeft) ? 0 : w - k
        var out = [Int]()
        out.reserveCapacity(c * k * k)
        for ch in 0..<c {
            for r in top..<(top + k) {
                for col in left..<(left + k) { out.append(ch * h * w + r * w + col) }
            }
        }
        return out
    }

    /// Feature indices (within one sample) the trigger overwrites, in increasing order, for
    /// flat samples: a square image when `dimension` is a perfect square, else the last
    /// `size·size` features.
    public func indices(dimension: Int) -> [Int] {
        guard dimension > 0, size > 0 else { return [] }
        var side = Int(Double(dimension).squareRoot())
        while side * side > dimension { side -= 1 }
        while (side + 1) * (side + 1) <= dimension { side += 1 }
        if side * side != dimension {
            let k = min(size * size, dimension)
            return Array((dimension - k)..<dimension)
        }
        let k = min(size, side)
        let top = (position == .topLeft || position == .topRight) ? 0 : side - k
        let left = (position == .topLeft || position == .bottomLeft) ? 0 : side - k
        var out = [Int]()
        out.reserveCapacity(k * k)
        for r in top..<(top + k) {
            for c in left..<(left + k) { out.append(r * side + c) }
        }
        return out
    }
}

/// BadNets backdoor (Gu, Dolan-Gavitt & Garg, "BadNets", arXiv 1708.06733, 2017): stamp a
/// trigger on a random subset of the attacker's samples and relabel them to `target`.
///
/// `poison` picks `k = max(1, round(fraction · count))` distinct samples with the `rng`
/// (halves round away from zero); each gets the trigger and label `target`. Two conventions
/// (scenario key `poisoning`):
/// - `keepClean = true`, `append` (default): the poisoned copies are *appended* to the
///   untouched clean data (count + k samples), so the model also keeps its clean accuracy —
///   the stealthier choice of Bagdasaryan et al. The attacker then has more samples, so it
///   takes more SGD steps per epoch (⌈(count + k)/B⌉ instead of ⌈count/B⌉, about 1 + fraction
///   times as many: a third more with FLPoison's 0.32, half more with the default 0.5), which
///   can lengthen its update, and a distance rule such as Multi-Krum may keep or drop it on
///   that norm alone. (fedsim's client reports its clean sample count either way.)
/// - `keepClean = false`, `replace`: the chosen samples are poisoned in place (BadNets,
///   FLPoison; count, steps and reported samples unchanged).
/// Defaults: fraction 0.5 (FLPoison uses 0.32), 3 × 3 bottom-right trigger of value 1.
///
/// Model replacement (Bagdasaryan, Veit, Hua, Estrin & Shmatikov, "How To Backdoor Federated
/// Learning", AISTATS 2020) is this data attack composed with `Scaling` of factor
/// `replacementBoost(sampledClients:attackers:serverLearningRate:)`.
public struct Backdoor: DataAttack, Equatable {
    public let target: Int
    public let fraction: Double
    public let trigger: Trigger
    public let keepClean: Bool
    /// The feature positions to stamp instead of the trigger's square (DBA's local parts),
    /// or nil; stamped with `trigger.value`.
    public let pattern: [Int]?
    public var name: String { "backdoor" }

    /// Throws `AttackError.parameter` unless `target ≥ 0`, `fraction ∈ (0, 1]`, `trigger.size ≥ 1`
    /// and `trigger.value` is finite.
    public init(target: Int, fraction: Double = 0.5, trigger: Trigger = Trigger(), keepClean: Bool = true,
                pattern: [Int]? = nil) throws {
        guard target >= 0 else {
            throw AttackError.parameter(attack: "backdoor", message: "target must be non-negative; got \(target)")
        }
        guard fraction > 0, fraction <= 1 else {
            throw AttackError.parameter(attack: "backdoor", message: "fraction must be in (0, 1]; got \(fraction)")
        }
        guard trigger.size >= 1 else {
            throw AttackError.parameter(attack: "backdoor", message: "trigger size must be at least 1; got \(trigger.size)")
        }
        guard trigger.value.isFinite else {
            throw AttackError.parameter(attack: "backdoor", message: "trigger value must be finite; got \(trigger.value)")
        }
        self.target = target
        self.fraction = fraction
        self.trigger = trigger
        self.keepClean = keepClean
        self.pattern = pattern
    }

    /// The feature positions stamped on a sample of `shape`.
    public func pixels(shape: [Int]) -> [Int] {
        let d = shape.reduce(1, *)
        return (pattern ?? trigger.indices(shape: shape)).filter { $0 >= 0 && $0 < d }
    }

    /// Throws `AttackError.parameter` if `target` is not one of `classes` classes.
    public func validate(classes: Int) throws {
        guard target < classes else {
            throw AttackError.parameter(attack: name, message: "target \(target) out of range for \(classes) classes")
        }
    }

    /// Number of samples poisoned out of `count`: `max(1, round(fraction · count))`, capped at
    /// `count` (0 for an empty dataset).
    public func poisonedCount(of count: Int) -> Int {
        guard count > 0 else { return 0 }
        return min(count, max(1, Int((fraction * Double(count)).rounded())))
    }

    public func poison(_ data: Dataset, rng: inout SeededRNG) -> Dataset {
        let k = poisonedCount(of: data.count)
        guard k > 0 else { return data }
        let chosen = rng.sample(k, from: data.count).sorted()
        let idx = pixels(shape: data.shape)
        if keepClean {
            var extra = stamp(data.subset(chosen))
            for i in extra.labels.indices { extra.labels[i] = Int32(target) }
            var out = data
            out.features.append(contentsOf: extra.features)
            out.labels.append(contentsOf: extra.labels)
            return out
        }
        var out = data
        for i in chosen {
            for j in idx { out.features[i * data.dimension + j] = trigger.value }
            out.labels[i] = Int32(target)
        }
        return out
    }

    /// `data` with the trigger on every sample and labels unchanged (the triggered test set).
    public func stamp(_ data: Dataset) -> Dataset {
        var out = data
        let d = data.dimension
        let idx = pixels(shape: data.shape)
        out.features.withUnsafeMutableBufferPointer { f in
            for i in 0..<data.count {
                for j in idx { f[i * d + j] = trigger.value }
            }
        }
        return out
    }

    /// Attack success rate: among samples whose true class is not `target`, the fraction
    /// predicted as `target` (evaluate on `stamp(testSet)`). NaN when no such sample exists.
    public static func successRate(predictions: [Int32], trueLabels: [Int32], target: Int) -> Double {
        precondition(predictions.count == trueLabels.count,
                     "successRate: \(predictions.count) predictions for \(trueLabels.count) labels")
        let t = Int32(target)
        var total = 0, hit = 0
        for (p, y) in zip(predictions, trueLabels) where y != t {
            total += 1
            if p == t { hit += 1 }
        }
        return total == 0 ? .nan : Double(hit) / Double(total)
    }

    /// Model-replacement boost split among colluding attackers (docs/ALGORITHMS.md 3.8):
    /// `γ = n / (f · η)` with n the updates averaged per round, f ≥ 1 attackers (values below 1
    /// count as 1) and η the server learning rate. Each attacker scales its delta by γ so that
    /// the f boosted deltas together replace the global model once, not f times.
    public static func replacementBoost(sampledClients n: Int, attackers f: Int, serverLearningRate eta: Double) -> Double {
        Double(n) / (Double(max(1, f)) * eta)
    }
}

extension Backdoor {
    public static let descriptor = AttackDescriptor(
        name: "backdoor",
        summary: "a pixel-patch trigger relabelled to a target class, optionally boosted (Bagdasaryan et al., AISTATS 2020)",
        parameters: [
            Parameter("target", .integer(Interval(0...)), default: .int(7), doc: "class the trigger should produce"),
            Parameter("fraction", .number(.openClosed(0, 1)), default: .number(0.5), doc: "share of the client's samples stamped and relabelled"),
            Parameter("poisoning", .choice(["append", "replace"]), default: .word("append"),
                      doc: "append: triggered copies added to the clean data (Bagdasaryan et al.); replace: the chosen samples poisoned in place (BadNets, FLPoison)"),
            Parameter("trigger_size", .integer(Interval(1...)), default: .int(2), doc: "side of the square trigger patch, in pixels"),
            Parameter("trigger_value", .number(.unbounded), default: .null, doc: "value of the trigger pixels; none: the largest feature value of the training data"),
            Parameter("boost", .autoOrNumber(.greaterThan(0)), default: .number(1), doc: "factor on the delta (model replacement); auto: n / (f eta)"),
        ],
        role: .data(poisoning),
        successMetric: AttackDescriptor.SuccessMetric(
            name: "backdoor", doc: "share of triggered test inputs of other classes classified as the target"
        ) { values, test, facts in
            let backdoor = try make(values, facts: facts)
            let others = test.labels.indices.filter { test.labels[$0] != Int32(backdoor.target) }
            return AttackDescriptor.SuccessProbe(inputs: backdoor.stamp(test.subset(others)), target: backdoor.target)
        },
        boost: { values in values.autoOrDouble("boost").map { .factor($0) } ?? .auto })

    /// The backdoor data attack for a scenario's values, checked against the data's classes
    /// (shared by the attacks that poison like it: Neurotoxin, constrain-and-scale).
    static let poisoning: @Sendable (ParameterValues, AttackDescriptor.DataFacts) throws -> any DataAttack = { values, facts in
        let backdoor = try make(values, facts: facts)
        try backdoor.validate(classes: facts.classes)
        return backdoor
    }

    static func make(_ values: ParameterValues, facts: AttackDescriptor.DataFacts) throws -> Backdoor {
        let value = values.optionalDouble("trigger_value").map(Float.init) ?? facts.maxFeature
        return try Backdoor(target: values.int("target"), fraction: values.double("fraction"),
                            trigger: Trigger(size: values.int("trigger_size"), value: value),
                            keepClean: values.word("poisoning") == "append")
    }
}
