import FedAttacks
import FedCore

/// Measures what an attack achieved on the global model, for the results only (the
/// coordinator's aggregation never sees it), with the success metric the attack's descriptor
/// declares: for a backdoor, the share of triggered test inputs of other classes the model
/// assigns to the target (Bagdasaryan et al., AISTATS 2020); for targeted label flipping, the
/// share of source-class test inputs classified as the target (Tolpegin et al., ESORICS 2020).
/// The first group with such a metric decides which one is reported.
struct AttackEvaluator {
    /// The metric's name ("backdoor", "targeted-label-flip"), nil when no attack has one.
    let metric: String?
    private let probe: AttackDescriptor.SuccessProbe?

    init(scenario: Scenario, data: FederationData) throws {
        let facts = AttackFactory.facts(data.train)
        for group in scenario.attacks {
            guard let m = group.descriptor.successMetric,
                  let p = try m.probe(group.parameters, data.test, facts) else { continue }
            metric = m.name
            probe = p
            return
        }
        metric = nil
        probe = nil
    }

    /// The success rate of the attack on `parameters`, or nil when there is no metric (or no
    /// test input to measure it on).
    func successRate(model: any Model, parameters: [Float]) -> Double? {
        guard let probe, probe.inputs.count > 0 else { return nil }
        let predicted = predict(model: model, parameters: parameters, data: probe.inputs)
        return Double(predicted.filter { $0 == Int32(probe.target) }.count) / Double(probe.inputs.count)
    }
}
