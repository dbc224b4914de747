import FedResults
@testable import FedSim
import XCTest

/// The closing line of a run names every headline figure that applies, and only those.
final class RunHeadlineTests: XCTestCase {
    private func summary() -> RunSummary {
        RunSummary(name: "b", seed: 1, status: "completed", roundsPlanned: 30, roundsCompleted: 30, finalTestAccuracy: 0.97412,
                   updatesReceived: 600, updatesRejected: 0, wallSeconds: 12, clients: 20, processes: 20, parameters: 100,
                   trainSamples: 1000, testSamples: 300, fingerprint: "ab", attacks: [], maliciousReceived: 0, aggregator: "fedavg")
    }

    func testHonestRunNamesAccuracyOnly() {
        XCTAssertEqual(RunHeadline.figures(summary()), "accuracy 0.9741")
    }

    func testEveryFigureThatApplies() {
        var s = summary()
        s.attackMetric = "backdoor"
        s.finalAttackSuccessRate = 0.9812
        s.maliciousReceived = 60
        s.maliciousSelected = 0
        s.meanDetectionTPR = 1
        s.meanDetectionFPR = 0.9375
        s.privacy = PrivacyRecord(noiseMultiplier: 1, clip: 1, delta: 1e-5, samplingRate: 1, epsilon: 3.2109,
                                  conversion: "rdp", epsilonApplies: true, note: "")
        XCTAssertEqual(RunHeadline.figures(s), "accuracy 0.9741, ASR 0.981 (backdoor), epsilon 3.21 at delta 1e-05, "
                       + "malicious kept out 60/60 (TPR 1.00, FPR 0.94)")
        s.privacy?.epsilonApplies = false
        s.maliciousSelected = nil      // a rule that makes no per-client decision: no detection figure
        XCTAssertEqual(RunHeadline.figures(s), "accuracy 0.9741, ASR 0.981 (backdoor), epsilon n/a (summary.json privacy.note)")
    }
}
