import FedCore
import FedRobust
import FedResults
import Foundation

/// The server's side of a round after the updates are in: the pre-aggregation chain, the
/// aggregation rule (with differential privacy when configured), FLTrust's own root-dataset
/// update, and the privacy accountant. Keeps the rule's state (centered clipping's centre,
/// FoolsGold's histories) for the whole run.
final class ServerAggregation {
    var aggregator: any Aggregator
    /// The steps before the rule (static clipping, NNM, bucketing), in order.
    let preAggregation: PreAggregationChain
    var budget: PrivacyBudget?
    /// Whether the accountant's epsilon holds for this combination, and why (or why not).
    let privacy: (applies: Bool, note: String)?
    /// FLTrust's clean root dataset, held by the server.
    private let root: Dataset?
    private let scenario: Scenario
    private let data: FederationData

    var name: String { aggregator.name }

    /// What the server did with one round's updates.
    struct Outcome {
        var applied: Bool
        var aggregate: [Float]
        var decisions: [ClientDecision]
        /// Rows scaled down by a pre-aggregation step (static clipping).
        var clipped: [Bool]
        var figures: [String: Double]
        /// Why no update was made, when `applied` is false.
        var note: String?
        var epsilon: Double?
    }

    init(scenario: Scenario, data: FederationData) throws {
        self.scenario = scenario
        self.data = data
        let perRound = ClientSampler(scenario).perRound
        aggregator = try DefenseFactory.aggregator(scenario.defense, perRound: perRound)
        preAggregation = try DefenseFactory.preAggregation(scenario.defense)
        if let dp = scenario.defense.dp, let aware = aggregator as? any PrivacyAware {
            let q = Double(perRound) / Double(scenario.federation.clients)
            budget = try PrivacyBudget(samplingRate: q, noiseMultiplier: dp.noiseMultiplier, delta: dp.delta)
            var note = aware.guaranteeNote
            var applies = aware.epsilonApplies
            if applies && preAggregation.mixesRows {
                // One client's update reaches several rows (NNM) or a bucket mean shared with
                // others, before the mechanism clips: its sensitivity is not the one accounted.
                applies = false
                note = "the accountant's epsilon does not hold: \(preAggregation.steps.filter(\.mixesRows).map(\.name).joined(separator: ", ")) mixes clients' updates before the DP clipping, so one client's influence is not the clipped update the accountant assumes."
            }
            if applies && perRound < scenario.federation.clients {
                note += " fedsim samples a fixed cohort of \(perRound) of \(scenario.federation.clients) clients each round, accounted as Poisson sampling with q = \(q): the usual approximation."
            }
            privacy = (applies, note)
        } else {
            budget = nil
            privacy = nil
        }
        if let size = scenario.defense.aggregator.descriptor.rootDatasetSize?(scenario.defense.aggregator.values) {
            guard size <= data.train.count else {
                throw DefenseError.rootTooLarge(size, train: data.train.count)
            }
            var rng = SeededRNG(seed: scenario.seed).derive("root")
            let fraction = Double(size) / Double(data.train.count)
            root = fraction >= 1 ? data.train : stratifiedSplit(data.train, testFraction: fraction, rng: &rng).test
        } else {
            root = nil
        }
    }

    /// Aggregates the round's accepted updates (rows sorted by client id). A rule that cannot
    /// run on this many updates makes no update this round, and says why.
    ///
    /// The pre-aggregation chain runs first (its randomness from the scenario seed and the
    /// round, `derive("preaggregate", r)`); the rule's decisions about its rows are mapped
    /// back to one decision per client (`PreAggregationChain.Prepared.clientDecisions`).
    func aggregate(_ matrix: UpdateMatrix, clientIds: [Int], weights: [Double], round r: Int, global: [Float]) -> Outcome {
        var clipped = [Bool](repeating: false, count: matrix.rows)
        let server = root.map { serverUpdate(round: r, global: global, root: $0) }
        let rows = preAggregation.outputRows(n: matrix.rows)
        var outcome: Outcome
        do {
            let prepared = try preAggregation.apply(matrix, clientIds: clientIds, weights: weights, round: r,
                                                    rng: SeededRNG(seed: scenario.seed).derive("preaggregate", r))
            clipped = prepared.clipped
            let context = AggregationContext(round: r, clientIds: prepared.clientIds, weights: prepared.weights,
                                             serverUpdate: server, rng: SeededRNG(seed: scenario.seed).derive("aggregate", r),
                                             // FedSGD updates are gradients, not model changes: no model to add them to.
                                             global: scenario.federation.mode == .fedavg ? global : nil)
            try aggregator.check(n: prepared.updates.rows)
            let result = try aggregator.aggregate(prepared.updates, context: context)
            outcome = Outcome(applied: result.applied, aggregate: result.aggregate,
                              decisions: prepared.clientDecisions(result.decisions),
                              clipped: clipped, figures: result.figures.merging(prepared.figures) { rule, _ in rule },
                              note: result.applied ? nil : "\(aggregator.name) made no update this round")
            budget?.recordRound()
        } catch {
            let after = rows == matrix.rows ? "" : " (the rule sees \(rows) rows for \(matrix.rows) updates after pre-aggregation)"
            outcome = Outcome(applied: false, aggregate: [], decisions: [], clipped: clipped, figures: [:],
                              note: "\(error)\(after)")
        }
        if privacy?.applies == true { outcome.epsilon = budget?.spent.epsilon }
        return outcome
    }

    /// The privacy part of summary.json, when `dp:` is configured.
    func privacyRecord(_ scenario: Scenario) -> PrivacyRecord? {
        guard let dp = scenario.defense.dp, let budget, let privacy else { return nil }
        let spent = budget.spent
        return PrivacyRecord(noiseMultiplier: dp.noiseMultiplier, clip: dp.clip, delta: dp.delta,
                             samplingRate: budget.samplingRate,
                             epsilon: privacy.applies ? spent.epsilon : nil, order: privacy.applies ? spent.order : nil,
                             conversion: "\(spent.conversion) (RDP of the sampled Gaussian mechanism, Balle et al. 2020 conversion)",
                             epsilonApplies: privacy.applies, note: privacy.note)
    }

    /// FLTrust's reference: the server trains on its root dataset from the current global
    /// model with the clients' local procedure; the update is the change (Cao et al., NDSS 2021).
    /// In FedSGD mode the reference is the server's own step: the negative gradient of one
    /// root minibatch (`MinibatchSchedule` on the stream "server-fedsgd", step `r - 1`), in the
    /// clients' convention (the direction added to the model).
    private func serverUpdate(round r: Int, global: [Float], root: Dataset) -> [Float] {
        let f = scenario.federation
        if f.mode == .fedsgd {
            let schedule = MinibatchSchedule(count: root.count, batchSize: f.batchSize)
            let batch = schedule.indices(step: r - 1, rng: SeededRNG(seed: scenario.seed).derive("server-fedsgd"))
            let g = minibatchGradient(model: data.model, parameters: global, data: root, indices: batch,
                                      weightDecay: Float(f.weightDecay),
                                      dropoutRNG: SeededRNG(seed: scenario.seed).derive("server-dropout", r)).gradient
            return g.map { -$0 }
        }
        var rng = SeededRNG(seed: scenario.seed).derive("server", r)
        let result = trainLocally(model: data.model, start: global, data: root,
                                  config: FederationData.localTraining(scenario.federation), rng: &rng)
        return zip(result.parameters, global).map { $0 - $1 }
    }
}

enum DefenseError: Error, CustomStringConvertible {
    case rootTooLarge(Int, train: Int)
    var description: String {
        switch self {
        case let .rootTooLarge(size, train):
            return "defense.aggregator.root_size: \(size) is more than the \(train) training samples"
        }
    }
}
