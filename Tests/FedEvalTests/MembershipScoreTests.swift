@testable import FedEval
import FedCore
import Foundation
import XCTest

final class MembershipScoreTests: XCTestCase {
    /// p = (0.7, 0.2, 0.1) given as logits log p (softmax gives p back): the loss score is
    /// log p_y, the confidence 0.7 whatever y, the entropy score -Mentr with
    /// Mentr(y = 0) = -0.3 log 0.7 - 0.2 log 0.8 - 0.1 log 0.9 = 0.162167 and
    /// Mentr(y = 1) = -0.8 log 0.2 - 0.7 log 0.3 - 0.1 log 0.9 = 2.140867 (docs/ALGORITHMS.md 10.2).
    func testCheckValues() {
        let logits: [Float] = [log(0.7), log(0.2), log(0.1)]
        let cases: [(score: MembershipScore, label: Int, expected: Double)] = [
            (.loss, 0, log(0.7)), (.loss, 1, log(0.2)), (.loss, 2, log(0.1)),
            (.confidence, 0, 0.7), (.confidence, 2, 0.7),
            (.entropy, 0, -0.162167), (.entropy, 1, -2.140867),
        ]
        logits.withUnsafeBufferPointer { z in
            for c in cases {
                XCTAssertEqual(c.score.score(logits: z, row: 0, classes: 3, label: c.label), c.expected, accuracy: 1e-5,
                               "\(c.score) y = \(c.label)")
            }
        }
    }

    /// Logits far apart: the log-softmax stays exact (loss score -1000 for the wrong class) and
    /// a confidently wrong prediction gets a large but finite modified entropy, log(1 - p)
    /// floored at log(1e-30) as in Song & Mittal's code.
    func testExtremeLogitsStayFinite() {
        let logits: [Float] = [1000, 0, 0]
        logits.withUnsafeBufferPointer { z in
            XCTAssertEqual(MembershipScore.loss.score(logits: z, row: 0, classes: 3, label: 1), -1000, accuracy: 1e-9)
            XCTAssertEqual(MembershipScore.loss.score(logits: z, row: 0, classes: 3, label: 0), 0, accuracy: 1e-9)
            XCTAssertEqual(MembershipScore.confidence.score(logits: z, row: 0, classes: 3, label: 1), 1)
            let wrong = MembershipScore.entropy.score(logits: z, row: 0, classes: 3, label: 1)
            XCTAssertTrue(wrong.isFinite)
            // Mentr(y = 1) = -(1 - p_1) log p_1 - p_0 log(1 - p_0) - p_2 log(1 - p_2), p_1 = p_2 ≈ 0,
            // p_0 ≈ 1: both logarithms at the floor, 2 · 30 · log 10 = 138.155.
            XCTAssertEqual(wrong, -2 * 30 * log(10.0), accuracy: 1e-6)
            XCTAssertEqual(MembershipScore.entropy.score(logits: z, row: 0, classes: 3, label: 0), 0, accuracy: 1e-9)
        }
    }

    /// The shadow attack's features: the sorted log-probabilities, then log p_y.
    func testShadowFeaturesAreSortedLogProbabilitiesAndTheLabelTerm() {
        let logits: [Float] = [log(0.2), log(0.7), log(0.1)]
        let f = ShadowModelAttack.features(logits: logits, labels: [2], classes: 3)
        let expected: [Float] = [log(0.7), log(0.2), log(0.1), log(0.1)]
        for (a, b) in zip(f, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }
}
