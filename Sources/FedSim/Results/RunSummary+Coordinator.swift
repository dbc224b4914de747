import FedResults

extension RunSummary {
    /// The summary of a coordinator's run so far (every round, including those before a resume).
    init(_ c: Coordinator, status: String, error: String?, processes: Int, wallSeconds: Double) {
        let scenario = c.scenario
        let h = c.digests
        let plan = AttackPlan(scenario)
        let accuracies = h.map(\.testAccuracy)
        let received = h.reduce(0) { $0 + $1.received }
        let rejected = h.reduce(0) { $0 + $1.rejected }
        let roundMs: Double? = h.isEmpty ? nil : h.reduce(0.0) { $0 + $1.roundMilliseconds } / Double(h.count)
        let selected: [Int] = h.compactMap(\.maliciousSelected)
        self.init(
            name: scenario.name, seed: scenario.seed, status: status, error: error,
            roundsPlanned: scenario.federation.rounds, roundsCompleted: h.count,
            finalTestAccuracy: h.last?.testAccuracy, finalTestLoss: h.last?.testLoss,
            bestTestAccuracy: accuracies.max(), updatesReceived: received, updatesRejected: rejected,
            meanRoundMilliseconds: roundMs, wallSeconds: wallSeconds, clients: scenario.federation.clients,
            processes: processes, parameters: c.global.count, trainSamples: c.data.train.count,
            testSamples: c.data.test.count, fingerprint: hex(scenario.fingerprint),
            attacks: zip(plan.groups, plan.members).map { AttackRecord($0, clients: $1) },
            attackMetric: c.attackMetric, finalAttackSuccessRate: h.last?.attackSuccessRate,
            maliciousReceived: h.reduce(0) { $0 + $1.maliciousReceived },
            aggregator: c.server.name,
            maliciousSelected: selected.isEmpty ? nil : selected.reduce(0, +),
            meanDetectionTPR: RunSummary.mean(h.compactMap(\.detectionTPR)),
            meanDetectionFPR: RunSummary.mean(h.compactMap(\.detectionFPR)),
            privacy: c.server.privacyRecord(scenario))
        divergedRound = c.divergedRound
        degradedRounds = h.filter { $0.received < $0.sampled }.count
        roundsWithoutUpdate = h.filter { !$0.applied }.count
        attackDurabilityRounds = RunSummary.durability(scenario, h)
        (meanDetectionPrecision, cleanRoundFPR) = RunSummary.detectionMeans(h)
        if let last = h.last(where: { $0.evaluations != nil }) {
            evaluations = last.evaluations
            evaluationRound = last.round
        }
    }

    /// Rounds after the attacks' last round (the latest `end_round` of the groups with a
    /// success metric) whose success rate stayed >= 0.5, until the first one below; nil when
    /// an attack runs to the end, none has a metric, or no round after it was recorded.
    static func durability(_ scenario: Scenario, _ h: [RoundDigest]) -> Int? {
        let measured = scenario.attacks.filter { $0.descriptor.successMetric != nil }
        guard !measured.isEmpty else { return nil }
        let ends = measured.map { $0.endRound ?? Int.max }
        guard let last = ends.max(), last < scenario.federation.rounds else { return nil }
        let after = h.filter { $0.round > last }
        guard !after.isEmpty else { return nil }
        return after.prefix { ($0.attackSuccessRate ?? 0) >= 0.5 }.count
    }

    /// The mean precision over the rounds where the rule kept something out, and the mean
    /// false-positive rate of the rounds no malicious update arrived in.
    static func detectionMeans(_ h: [RoundDigest]) -> (precision: Double?, cleanRoundFPR: Double?) {
        (mean(h.compactMap(\.detectionPrecision)), mean(h.filter { $0.maliciousReceived == 0 }.compactMap(\.detectionFPR)))
    }

    private static func mean(_ xs: [Double]) -> Double? {
        xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
    }
}
