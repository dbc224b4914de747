import FedCore
import FedRobust
import Foundation

extension Coordinator {
    /// The record of a finished round: evaluation of the new global model, what the rule
    /// decided about each client, and the ground truth (who attacked, what the attack
    /// achieved, how many malicious updates the rule kept out) for evaluation only.
    func report(round r: Int, sampled: [Int], collected done: RoundCollector, updates: [RoundCollector.Accepted],
                matrix: UpdateMatrix, outcome: ServerAggregation.Outcome, aggregationMilliseconds: Double,
                started: Date) -> RoundRecord {
        let evaluation = evaluate(model: data.model, parameters: global, data: data.test)
        let totalSamples = updates.reduce(0) { $0 + $1.samples }
        let trainLoss = updates.reduce(0.0) { $0 + Double($1.trainLoss) * Double($1.samples) } / Double(max(1, totalSamples))

        var clients: [ClientRecord] = []
        for (i, u) in updates.enumerated() {
            var c = ClientRecord(round: r, client: u.client, sampled: true, responded: true, samples: u.samples,
                                 updateNorm: matrix.rowNorm(i), trainLoss: Double(u.trainLoss))
            if i < outcome.decisions.count {
                let d = outcome.decisions[i]
                c.decision = ClientRecord.Decision(selected: d.selected, weight: d.weight, score: d.score,
                                                   clipped: d.clipped || outcome.clipped[i])
            }
            clients.append(c)
        }
        for id in done.missing {
            clients.append(ClientRecord(round: r, client: id, sampled: true, responded: false, samples: 0,
                                        updateNorm: .nan, trainLoss: .nan))
        }
        let sampledSet = Set(sampled)
        for id in 0..<scenario.federation.clients where !sampledSet.contains(id) {
            clients.append(ClientRecord(round: r, client: id, sampled: false, responded: false, samples: 0,
                                        updateNorm: .nan, trainLoss: .nan))
        }
        // Ground truth for the results (evaluation only).
        let faults = FaultPlan(scenario)
        for i in clients.indices {
            clients[i].malicious = plan.activeGroup(of: clients[i].client, round: r) != nil
            if clients[i].sampled { clients[i].fault = faults.fault(client: clients[i].client, round: r).label }
        }
        let responded = clients.filter(\.responded)
        let detection = outcome.decisions.count == updates.count && !updates.isEmpty
            ? Detection(selected: responded.map { $0.decision?.selected ?? true },
                        weights: responded.map { $0.decision?.weight ?? 0 }, malicious: responded.map(\.malicious))
            : nil
        clients.sort { $0.client < $1.client }

        var record = RoundRecord(
            round: r, testAccuracy: evaluation.accuracy, testLoss: evaluation.loss, trainLoss: trainLoss,
            sampled: sampled.count, received: updates.count, rejected: done.rejectedCount,
            rejectReasons: done.rejections, applied: outcome.applied, aggregationMilliseconds: aggregationMilliseconds,
            roundMilliseconds: loop.now.timeIntervalSince(started) * 1000,
            attackSuccessRate: evaluator.successRate(model: data.model, parameters: global),
            maliciousSampled: clients.filter { $0.malicious && $0.sampled }.count,
            maliciousReceived: responded.filter(\.malicious).count, clients: clients)
        record.detection = detection
        record.figures = outcome.figures
        record.epsilon = outcome.epsilon
        record.note = outcome.note
        return record
    }
}
