import FedCore
import FedEval
import Foundation

/// Runs the scenario's threat evaluations (`evaluate:`) on the global model after the rounds
/// `evaluate.every` picks, for the results only (aggregation never sees them).
///
/// Each evaluation gets the same `EvaluationInput` (the global model before and after the
/// round, the clients' data and partition, the held-out test set, the domain, the clients'
/// training, what an observer sees of one update, and the round's updates) with its own
/// generator `seed / "evaluate" / name / round`, so the figures depend on nothing but the
/// scenario: the same seed gives the same bits, whatever ran before.
public struct ThreatEvaluator: Sendable {
    let configs: [EvaluationConfig]
    let every: Int
    let samples: Int
    let rounds: Int
    let root: SeededRNG
    let data: FederationData
    let training: LocalTraining
    let observation: UpdateObservation

    init(scenario: Scenario, data: FederationData) {
        configs = scenario.evaluate.evaluations
        every = scenario.evaluate.every
        samples = scenario.evaluate.samples
        rounds = scenario.federation.rounds
        root = SeededRNG(seed: scenario.seed).derive("evaluate")
        self.data = data
        training = FederationData.localTraining(scenario.federation)
        observation = ThreatEvaluator.observation(scenario.defense)
    }

    var isEmpty: Bool { configs.isEmpty }

    /// True when the model after `round` is evaluated.
    func evaluates(round: Int) -> Bool {
        !configs.isEmpty && (round % every == 0 || round == rounds)
    }

    /// What the evaluations measured after one round.
    struct Result: Sendable {
        var figures: [String: Double] = [:]
        var panels: [ImagePanel] = []
        /// One line per evaluation that failed ("membership: ...").
        var failures: [String] = []
    }

    /// Every evaluation on the model `parameters` after `round` (the round started from `previous`).
    func evaluate(round: Int, parameters: [Float], previous: [Float], updates: [ObservedUpdate]) -> Result {
        var result = Result()
        for c in configs {
            let input = self.input(c, round: round, parameters: parameters, previous: previous, updates: updates)
            do {
                let outcome = try c.descriptor.evaluate(c.values, input)
                for (name, value) in outcome.figures { result.figures[name] = value }
                result.panels += outcome.images
            } catch {
                result.failures.append("\(c.kind): \(error)")
            }
        }
        return result
    }

    /// The input of evaluation `c` after `round` (its generator `seed / "evaluate" / kind / round`).
    func input(_ c: EvaluationConfig, round: Int, parameters: [Float], previous: [Float],
               updates: [ObservedUpdate]) -> EvaluationInput {
        EvaluationInput(
            model: data.model, parameters: parameters, previous: previous, round: round, train: data.train,
            clientIndices: data.partition.clientIndices, heldOut: data.test, samples: samples,
            domain: data.inputDomain, training: training, observation: observation, updates: updates,
            rng: root.derive(c.kind, round))
    }

    /// What an observer of one client's update sees after the defence: DP-FedAvg's clip C and
    /// noise σ·C; a fixed clipping step's bound; otherwise the update itself.
    static func observation(_ defense: DefenseConfig) -> UpdateObservation {
        if let dp = defense.dp {
            return UpdateObservation(clip: dp.clip, noiseStd: dp.noiseMultiplier * dp.clip)
        }
        if let clip = defense.preAggregation.first(where: { $0.kind == "clip" }) {
            return UpdateObservation(clip: clip.values.double("norm"))
        }
        return UpdateObservation()
    }

    /// The column of the evaluations' wall time after a round.
    public static let costFigure = "evaluation_ms"

    /// Every figure the scenario's evaluations report, with its doc line, in registry order,
    /// then their cost; none when nothing is evaluated.
    public static func figures(_ evaluate: EvaluateConfig) -> [(name: String, doc: String)] {
        guard !evaluate.isEmpty else { return [] }
        var seen: Set<String> = [costFigure]
        var list: [(name: String, doc: String)] = []
        for c in evaluate.evaluations {
            for f in c.descriptor.figures(c.values) where seen.insert(f.name).inserted { list.append(f) }
        }
        return list + [(costFigure, "wall time of the threat evaluations after the round, in ms (empty on rounds not evaluated)")]
    }
}

extension Coordinator {
    /// Runs `work` on a thread of its own while the loop keeps turning (heartbeats go out, so
    /// the clients do not take a long evaluation for a silent coordinator); on a test's manual
    /// clock, in line (the loop's time must not run on while nobody answers).
    func offLoop<T: Sendable>(_ work: @escaping @Sendable () -> T) throws -> T {
        guard loop.clock is SystemClock else { return work() }
        let box = ResultBox<T>()
        let thread = Thread { box.set(work()) }
        thread.stackSize = 16 << 20
        thread.start()
        try loop.run(maxWait: Self.maxWait, until: { box.value != nil })
        guard let value = box.value else { throw CoordinatorError.internalState }
        return value
    }
}

/// A value handed from a worker thread to the loop's thread.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?

    var value: T? { lock.withLock { stored } }
    func set(_ v: T) { lock.withLock { stored = v } }
}
