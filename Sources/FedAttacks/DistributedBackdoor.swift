import FedCore

/// The global trigger of the distributed backdoor attack (DBA), cut into local parts.
///
/// Part p is a horizontal segment of `length` pixels at row ⌊p / 2⌋·(gap + 1) and columns
/// starting at (p mod 2)·(length + gap), from the top-left corner: with 4 parts, length 4 and
/// gap 2 this is the MNIST layout of Xie et al.'s code (rows 0 and 3, columns 0-3 and 6-9);
/// digits (8 × 8) default to length 2, gap 1 (rows 0 and 2, columns 0-1 and 3-4). The global
/// trigger is the union of the parts. On `[C, H, W]` images each pixel is set in every channel;
/// flat samples that are a perfect square are one square image; other flat samples have no
/// geometry and take the part's segment from the last features. Pixels outside the image are
/// dropped.
public struct DistributedTrigger: Sendable, Equatable {
    public let parts: Int
    public let length: Int
    public let gap: Int

    public init(parts: Int = 4, length: Int = 2, gap: Int = 1) {
        self.parts = parts
        self.length = length
        self.gap = gap
    }

    /// Feature positions of part `p` (0 ..< parts) on a sample of `shape`, increasing.
    public func indices(part p: Int, shape: [Int]) -> [Int] {
        precondition(p >= 0 && p < parts, "DistributedTrigger: part \(p) of \(parts)")
        let d = shape.reduce(1, *)
        let (c, h, w): (Int, Int, Int)
        if shape.count == 3 {
            (c, h, w) = (shape[0], shape[1], shape[2])
        } else {
            var side = Int(Double(d).squareRoot())
            while side * side > d { side -= 1 }
            while (side + 1) * (side + 1) <= d { side += 1 }
            if side * side != d {
                // No geometry: part p is the p-th segment of `length` counted from the end.
                let start = d - (p + 1) * length
                return (max(0, start)..<max(0, start + length)).filter { $0 < d }
            }
            (c, h, w) = (1, side, side)
        }
        let row = (p / 2) * (gap + 1)
        let col = (p % 2) * (length + gap)
        guard row < h else { return [] }
        var out: [Int] = []
        for ch in 0..<c {
            for x in col..<min(w, col + length) { out.append(ch * h * w + row * w + x) }
        }
        return out
    }

    /// Every part's positions together (the trigger the attack is tested with), increasing.
    public func globalIndices(shape: [Int]) -> [Int] {
        Array(Set((0..<parts).flatMap { indices(part: $0, shape: shape) })).sorted()
    }
}

/// Distributed backdoor attack (Xie, Huang, Chen & Li, "DBA: Distributed Backdoor Attacks
/// against Federated Learning", ICLR 2020): the attackers share one global trigger, cut into
/// `parts` local patterns; attacker i (its place in the attack group, by client id) poisons
/// its data with part i mod parts only, as a BadNets backdoor (`Backdoor` with that pattern,
/// the same `fraction`, `poisoning` and target). Success is measured with the global trigger:
/// the share of triggered test inputs of other classes the model assigns to the target. No
/// attacker ever trains on the global trigger; the federated model assembles it.
public enum DistributedBackdoor {
    /// The backdoor attacker `attacker` of the group runs.
    public static func attack(target: Int, fraction: Double, value: Float, keepClean: Bool,
                              trigger: DistributedTrigger, attacker: Int, shape: [Int]) throws -> Backdoor {
        try Backdoor(target: target, fraction: fraction, trigger: Trigger(size: 1, value: value), keepClean: keepClean,
                     pattern: trigger.indices(part: attacker % trigger.parts, shape: shape))
    }
}

/// DBA as a data attack that learns the sample shape from the data it poisons.
struct DistributedBackdoorAttack: DataAttack {
    let target: Int
    let fraction: Double
    let value: Float
    let keepClean: Bool
    let trigger: DistributedTrigger
    let attacker: Int
    var name: String { "dba" }

    func poison(_ data: Dataset, rng: inout SeededRNG) -> Dataset {
        // The parameters were checked when the attack was built, so this cannot throw.
        guard let b = try? DistributedBackdoor.attack(target: target, fraction: fraction, value: value, keepClean: keepClean,
                                                      trigger: trigger, attacker: attacker, shape: data.shape) else { return data }
        return b.poison(data, rng: &rng)
    }
}

extension DistributedBackdoor {
    public static let descriptor = AttackDescriptor(
        name: "dba",
        summary: "distributed backdoor: each attacker poisons with its own part of a global trigger; success measured with the whole trigger (Xie et al., ICLR 2020)",
        parameters: [
            Parameter("target", .integer(Interval(0...)), default: .int(7), doc: "class the trigger should produce"),
            Parameter("fraction", .number(.openClosed(0, 1)), default: .number(0.5), doc: "share of the client's samples stamped and relabelled"),
            Parameter("poisoning", .choice(["append", "replace"]), default: .word("append"),
                      doc: "append: triggered copies added to the clean data; replace: the chosen samples poisoned in place"),
            Parameter("parts", .integer(.closed(1, 64)), default: .int(4), doc: "local triggers the global one is cut into (attacker i uses part i mod parts)"),
            Parameter("length", .integer(.closed(1, 1024)), default: .int(2), doc: "pixels per local segment (Xie et al. use 4 on 28 x 28 MNIST)"),
            Parameter("gap", .integer(.closed(0, 1024)), default: .int(1), doc: "pixels between segments (Xie et al. use 2 on MNIST)"),
            Parameter("trigger_value", .number(.unbounded), default: .null, doc: "value of the trigger pixels; none: the largest feature value of the training data"),
            Parameter("boost", .autoOrNumber(.greaterThan(0)), default: .number(1), doc: "factor on the delta (model replacement); auto: n / (f eta)"),
        ],
        role: .data { values, facts in
            let (target, trigger) = (values.int("target"), trigger(values))
            guard target < facts.classes else {
                throw AttackError.parameter(attack: "dba", message: "target \(target) out of range for \(facts.classes) classes")
            }
            // Checks the shared parameters once (a Backdoor with part 0 on a flat sample).
            _ = try Backdoor(target: target, fraction: values.double("fraction"))
            return DistributedBackdoorAttack(target: target, fraction: values.double("fraction"), value: value(values, facts),
                                             keepClean: values.word("poisoning") == "append", trigger: trigger,
                                             attacker: facts.attacker)
        },
        successMetric: AttackDescriptor.SuccessMetric(
            name: "backdoor", doc: "share of test inputs of other classes, stamped with the whole global trigger, classified as the target"
        ) { values, test, facts in
            let target = values.int("target")
            let global = try Backdoor(target: target, fraction: 1, trigger: Trigger(size: 1, value: value(values, facts)),
                                      pattern: trigger(values).globalIndices(shape: test.shape))
            let others = test.labels.indices.filter { test.labels[$0] != Int32(target) }
            return AttackDescriptor.SuccessProbe(inputs: global.stamp(test.subset(others)), target: target)
        },
        boost: { values in values.autoOrDouble("boost").map { .factor($0) } ?? .auto })

    private static func trigger(_ values: ParameterValues) -> DistributedTrigger {
        DistributedTrigger(parts: values.int("parts"), length: values.int("length"), gap: values.int("gap"))
    }

    private static func value(_ values: ParameterValues, _ facts: AttackDescriptor.DataFacts) -> Float {
        values.optionalDouble("trigger_value").map(Float.init) ?? facts.maxFeature
    }
}
