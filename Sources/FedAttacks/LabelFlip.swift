import FedCore

/// Label flipping: a data-poisoning attack that relabels a malicious client's samples; the
/// client then trains honestly on the flipped data.
///
/// Modes (C = number of classes):
/// - `targeted(source:target:)`: only `source → target`, every other label kept
///   (Tolpegin, Truex, Gursoy & Liu, "Data Poisoning Attacks Against Federated Learning
///   Systems", ESORICS 2020; FLPoison's MNIST default is 3 → 7).
/// - `allToOne(target:)`: every label becomes `target`.
/// - `random`: each label replaced by a uniformly random *different* label, drawn from the
///   `rng` (so deterministic per seed): `r ~ U{0..C−2}`, `y' = r < y ? r : r + 1`.
/// - `rotation`: `y → (y + 1) mod C`.
/// - `reverse`: `y → C − 1 − y` (all-to-all flip of FLTrust and the epfml CC/bucketing code;
///   MNIST `9 − y`).
///
/// Class indices are checked against C when the dataset is known: call `validate(classes:)`
/// once (the scenario layer does); `poison` assumes it passed.
public struct LabelFlip: DataAttack, Equatable {
    /// Which labels change and to what.
    public enum Mode: Sendable, Equatable {
        case targeted(source: Int, target: Int)
        case allToOne(target: Int)
        case random
        case rotation
        case reverse
    }

    public let mode: Mode
    public var name: String { "label-flip" }

    /// Throws `AttackError.parameter` for negative class indices or `source == target`.
    public init(_ mode: Mode) throws {
        switch mode {
        case let .targeted(source, target):
            guard source >= 0, target >= 0 else {
                throw AttackError.parameter(attack: "label-flip",
                                            message: "classes must be non-negative; got source \(source), target \(target)")
            }
            guard source != target else {
                throw AttackError.parameter(attack: "label-flip", message: "source and target are both \(source)")
            }
        case let .allToOne(target):
            guard target >= 0 else {
                throw AttackError.parameter(attack: "label-flip", message: "target must be non-negative; got \(target)")
            }
        case .random, .rotation, .reverse:
            break
        }
        self.mode = mode
    }

    /// Throws `AttackError.parameter` unless the mode's classes exist among `classes` classes
    /// (and `classes ≥ 2` for `random`, which needs a different label to draw).
    public func validate(classes: Int) throws {
        let bad: Int?
        switch mode {
        case let .targeted(source, target): bad = [source, target].first { $0 >= classes }
        case let .allToOne(target): bad = target >= classes ? target : nil
        case .random:
            guard classes >= 2 else {
                throw AttackError.parameter(attack: name, message: "random flipping needs at least 2 classes; got \(classes)")
            }
            bad = nil
        case .rotation, .reverse: bad = nil
        }
        if let bad {
            throw AttackError.parameter(attack: name, message: "class \(bad) out of range for \(classes) classes")
        }
    }

    /// The flipped label for the deterministic modes. `random` needs a generator and returns
    /// `label` unchanged here (see `poison`).
    public func flip(_ label: Int32, classes: Int) -> Int32 {
        let y = Int(label)
        switch mode {
        case let .targeted(source, target): return y == source ? Int32(target) : label
        case let .allToOne(target): return Int32(target)
        case .rotation: return Int32((y + 1) % classes)
        case .reverse: return Int32(classes - 1 - y)
        case .random: return label
        }
    }

    /// A copy of `data` with flipped labels (features untouched). Only `random` draws from `rng`,
    /// one draw per sample in sample order.
    public func poison(_ data: Dataset, rng: inout SeededRNG) -> Dataset {
        var out = data
        let c = data.classes
        switch mode {
        case .random:
            guard c >= 2 else { return out }
            for i in out.labels.indices {
                let y = Int(out.labels[i])
                let r = rng.nextInt(below: c - 1)
                out.labels[i] = Int32(r < y ? r : r + 1)
            }
        default:
            for i in out.labels.indices { out.labels[i] = flip(out.labels[i], classes: c) }
        }
        return out
    }
}

extension LabelFlip {
    public static let descriptor = AttackDescriptor(
        name: "label-flip", summary: "malicious clients train on flipped labels (Tolpegin et al., ESORICS 2020)",
        parameters: [
            Parameter("mode", .choice(["targeted", "all-to-one", "random", "rotation", "reverse"]), default: .word("reverse"),
                      doc: "targeted: source -> target; all-to-one: every label -> target; random; rotation: y -> y+1; reverse: y -> C-1-y"),
            Parameter("source", .integer(Interval(0...)), default: .int(3), doc: "class flipped by targeted"),
            Parameter("target", .integer(Interval(0...)), default: .int(7), doc: "class assigned by targeted and all-to-one"),
        ],
        role: .data { values, facts in
            let flip = try LabelFlip(mode(values))
            try flip.validate(classes: facts.classes)
            return flip
        },
        successMetric: AttackDescriptor.SuccessMetric(
            name: "targeted-label-flip", doc: "share of source-class test inputs classified as the target (targeted mode only)"
        ) { values, test, _ in
            guard case let .targeted(source, target) = try mode(values) else { return nil }
            let sources = test.labels.indices.filter { test.labels[$0] == Int32(source) }
            return AttackDescriptor.SuccessProbe(inputs: test.subset(sources), target: target)
        })

    private static func mode(_ values: ParameterValues) throws -> Mode {
        let source = values.int("source"), target = values.int("target")
        switch values.word("mode") {
        case "targeted": return .targeted(source: source, target: target)
        case "all-to-one": return .allToOne(target: target)
        case "random": return .random
        case "rotation": return .rotation
        default: return .reverse
        }
    }
}
