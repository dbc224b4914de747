import FedCore
import FedTestSupport
@testable import FedRobust
import XCTest

/// The robust learning rate (Ozdayi et al., AAAI 2021) on hand-computed cases.
final class RobustLearningRateTests: XCTestCase {
    func testHandComputedCases() throws {
        // (updates, weights, θ, weighted, expected aggregate, expected flipped fraction)
        let table: [([[Float]], [Double], Int, Bool, [Float], Double, UInt)] = [
            // mean (1, −1/3); agreement (3, 1): the second coordinate is reversed.
            ([[1, 2], [1, -1], [1, -2]], [1, 1, 1], 2, false, [1, 1.0 / 3], 0.5, #line),
            // θ = 1: agreement 1 suffices, nothing reversed.
            ([[1, 2], [1, -1], [1, -2]], [1, 1, 1], 1, false, [1, -1.0 / 3], 0, #line),
            // weights 3:1 give (1.5, −0.5); agreement (1, 0) < 2 everywhere: both reversed.
            ([[2, -1], [0, 1]], [3, 1], 2, true, [-1.5, 0.5], 1, #line),
            // the same weights ignored when weighted is false: mean (1, 0); −0 is 0.
            ([[2, -1], [0, 1]], [3, 1], 2, false, [-1, 0], 1, #line),
            // unanimous signs keep the direction: agreement 3 = θ.
            ([[1, -1], [2, -2], [3, -3]], [1, 1, 1], 3, false, [2, -2], 0, #line),
        ]
        for (rows, weights, theta, weighted, expected, flipped, line) in table {
            var rule = try RobustLearningRate(threshold: theta, weighting: weighted ? .samples : .uniform)
            let r = try rule.aggregate(matrix(rows), context: RobustFixtures.context(rows.count, weights: weights))
            assertClose(r.aggregate, expected, accuracy: 1e-6)
            XCTAssertEqual(r.figures["flipped_fraction"], flipped, line: line)
            XCTAssertTrue(r.decisions.allSatisfy(\.selected), line: line)
            XCTAssertEqual(r.decisions.map(\.weight).reduce(0, +), 1, accuracy: 1e-12, line: line)
        }
    }

    func testSignAgreementCountsZeroAsNoVote() {
        let m = matrix([[0, 1, -1], [0, 1, 1], [0, -1, 1]])
        XCTAssertEqual(RobustLearningRate.signAgreement(m), [0, 1, 1])
    }

    func testPreconditionsCarryTheNumbers() throws {
        XCTAssertThrowsError(try RobustLearningRate(threshold: 0)) {
            XCTAssertEqual("\($0)", "robust-lr: theta must be >= 1; got 0")
        }
        let rule = try RobustLearningRate(threshold: 4)
        XCTAssertThrowsError(try rule.check(n: 3)) {
            XCTAssertEqual("\($0)", "robust-lr needs at least 4 updates; got 3")
        }
        XCTAssertNoThrow(try rule.check(n: 4))
    }

    /// Against a backdoor-like push: one attacker moves a coordinate no honest client moves;
    /// FedAvg follows it, RLR reverses it.
    func testAReversedLoneAttacker() throws {
        let honest: [[Float]] = [[1, 0], [1, 0], [1, 0], [1, 0]]
        let rows = honest + [[1, 5]]
        var rule = try RobustLearningRate(threshold: 3, weighting: .uniform)
        let r = try rule.aggregate(matrix(rows), context: RobustFixtures.context(5))
        assertClose(r.aggregate, [1, -1], accuracy: 1e-6)
    }
}

extension RobustLearningRateTests {
    /// docs/ALGORITHMS.md 2.11's hand example: n = 5, d = 4, θ = 3, uniform mean.
    func testTheDocumentedExample() throws {
        let m = matrix([[1, -2, 0.5, 0], [2, 1, -1, 0], [3, -1, -0.5, 1], [-1, -3, 0.2, 2], [0.5, -0.5, 1, -1]])
        XCTAssertEqual(RobustLearningRate.signAgreement(m), [3, 3, 1, 1])
        var rule = try RobustLearningRate(threshold: 3, weighting: .uniform)
        let r = try rule.aggregate(m, context: RobustFixtures.context(5))
        assertClose(r.aggregate, [1.1, -1.1, -0.04, -0.4], accuracy: 1e-6)
        XCTAssertEqual(r.figures["flipped_fraction"], 0.5)
    }
}
