import FedCore
import FedRobust
import XCTest

final class WeightedMeanTests: XCTestCase {
    /// Table of small literal cases computed by hand.
    func testHandComputedCases() throws {
        let cases: [(rows: [[Float]], weights: [Double], expected: [Float])] = [
            ([[1, 2], [3, 4]], [1, 1], [2, 3]),
            ([[1, 2], [3, 4]], [3, 1], [1.5, 2.5]),
            ([[0, 0, 0], [10, -10, 5]], [0, 2], [10, -10, 5]),
            ([[0], [1], [2], [3], [4], [5], [100]], [1, 1, 1, 1, 1, 1, 1], [115.0 / 7]),
        ]
        for (rows, weights, expected) in cases {
            var m = UpdateMatrix(rows: rows.count, columns: rows[0].count)
            for (i, r) in rows.enumerated() { m.setRow(i, r) }
            let got = try WeightedMean.aggregate(m, weights: weights)
            XCTAssertEqual(got.count, expected.count)
            for (g, e) in zip(got, expected) { XCTAssertEqual(g, e, accuracy: 1e-5, "\(rows) \(weights)") }
        }
    }

    func testRejectsBadWeights() {
        let m = UpdateMatrix(rows: 2, columns: 1, values: [1, 2])
        XCTAssertThrowsError(try WeightedMean.aggregate(m, weights: [1])) {
            XCTAssertEqual($0 as? WeightedMean.Failure, .badWeights(count: 1, rows: 2))
        }
        XCTAssertThrowsError(try WeightedMean.aggregate(m, weights: [1, -1]))
        XCTAssertThrowsError(try WeightedMean.aggregate(m, weights: [0, 0])) {
            XCTAssertEqual($0 as? WeightedMean.Failure, .zeroTotalWeight)
        }
    }

    func testUpdateMatrixRowsAndNorms() {
        var m = UpdateMatrix(rows: 2, columns: 2)
        m.setRow(1, [3, 4])
        XCTAssertEqual(m.row(0), [0, 0])
        XCTAssertEqual(m.row(1), [3, 4])
        XCTAssertEqual(m.rowNorm(1), 5, accuracy: 1e-12)
    }
}
