import FedAttacks
import FedCore

/// Measures what an attack achieved on the global model, for the results only (the
/// coordinator's aggregation never sees it):
/// - backdoor: the attack success rate, the fraction of triggered test inputs whose true class
///   is not the target that the model assigns to the target (Bagdasaryan et al., AISTATS 2020);
/// - targeted label flipping: the fraction of source-class test inputs classified as the
///   target (Tolpegin et al., ESORICS 2020).
/// The first group with such a metric decides which one is reported.
struct AttackEvaluator {
    /// "backdoor" or "targeted-label-flip", nil when no attack has a success metric.
    let metric: String?
    private let inputs: Dataset?
    private let target: Int32

    init(scenario: Scenario, data: FederationData) throws {
        for group in scenario.attacks {
            if let backdoor = try AttackFactory.backdoor(group, train: data.train) {
                let others = data.test.labels.indices.filter { data.test.labels[$0] != Int32(backdoor.target) }
                metric = "backdoor"
                inputs = backdoor.stamp(data.test.subset(others))
                target = Int32(backdoor.target)
                return
            }
            if case let .labelFlip(.targeted, source, t) = group.parameters {
                let sources = data.test.labels.indices.filter { data.test.labels[$0] == Int32(source) }
                metric = "targeted-label-flip"
                inputs = data.test.subset(sources)
                target = Int32(t)
                return
            }
        }
        metric = nil
        inputs = nil
        target = 0
    }

    /// The success rate of the attack on `parameters`, or nil when there is no metric (or no
    /// test input to measure it on).
    func successRate(model: any Model, parameters: [Float]) -> Double? {
        guard let inputs, inputs.count > 0 else { return nil }
        let predicted = predict(model: model, parameters: parameters, data: inputs)
        return Double(predicted.filter { $0 == target }.count) / Double(inputs.count)
    }
}
