import FedCore
import FedTestSupport
import FedRobust
import XCTest

final class FLTrustTests: XCTestCase {
    private func run(_ rows: [[Float]], g0: [Float]?) throws -> AggregationResult {
        var rule = FLTrust()
        return try rule.aggregate(matrix(rows),
                                  context: RobustFixtures.context(rows.count, serverUpdate: g0))
    }

    /// Section 7: g0 = (1, 0); (2, 0), (0, 3), (−1, 0) → trust 1, 0, 0 → (1, 0).
    func testSectionSeven() throws {
        let r = try run([[2, 0], [0, 3], [-1, 0]], g0: [1, 0])
        XCTAssertTrue(r.applied)
        XCTAssertEqual(r.aggregate, [1, 0])
        XCTAssertEqual(r.decisions.map(\.score), [1, 0, 0])
        XCTAssertEqual(r.decisions.map(\.selected), [true, false, false])
        XCTAssertEqual(r.decisions.map(\.weight), [1, 0, 0])
        XCTAssertEqual(r.decisions.map(\.clipped), [true, false, false])
    }

    /// g0 = (0, 2); (0, 1) has trust 1 and becomes (0, 2); (3, 3) has trust 1/√2 and
    /// becomes (√2, √2); aggregate = ((0, 2) + (1, 1)) / (1 + 1/√2).
    func testRescalingAndWeights() throws {
        let r = try run([[0, 1], [3, 3]], g0: [0, 2])
        let t = 1 / 2.0.squareRoot()
        XCTAssertEqual(Double(r.aggregate[0]), 1 / (1 + t), accuracy: 1e-6)
        XCTAssertEqual(Double(r.aggregate[1]), 3 / (1 + t), accuracy: 1e-6)
        XCTAssertEqual(r.decisions[0].weight, 1 / (1 + t), accuracy: 1e-9)
        XCTAssertEqual(r.decisions[1].score ?? 0, t, accuracy: 1e-9)
        XCTAssertEqual(r.decisions.map(\.clipped), [false, true])
    }

    func testNoTrustMeansNoUpdate() throws {
        for (rows, g0) in [([[-1, 0], [0, -2], [-3, 1]] as [[Float]], [1, 0] as [Float]),
                           ([[0, 0], [0, 0]], [1, 1]),
                           ([[1, 2], [3, 4]], [0, 0])] {
            let r = try run(rows, g0: g0)
            XCTAssertFalse(r.applied)
            XCTAssertEqual(r.aggregate, [0, 0])
            XCTAssertTrue(r.decisions.allSatisfy { !$0.selected && $0.weight == 0 })
        }
    }

    func testZeroNormClientGetsNoTrust() throws {
        let r = try run([[0, 0], [2, 0]], g0: [1, 0])
        XCTAssertEqual(r.decisions.map(\.score), [0, 1])
        XCTAssertEqual(r.aggregate, [1, 0])
    }

    func testMissingOrMismatchedServerUpdate() throws {
        XCTAssertThrowsError(try run([[1, 0]], g0: nil)) { error in
            XCTAssertEqual(error as? AggregatorError, .missingInput(rule: "fltrust", what: "the server's root-dataset update"))
            XCTAssertEqual("\(error)", "fltrust needs the server's root-dataset update")
        }
        XCTAssertThrowsError(try run([[1, 0]], g0: [1, 0, 0])) { error in
            XCTAssertEqual("\(error)", "fltrust: the server update has 3 values; the updates have 2")
        }
    }
}
