import FedAttacks
import FedCore
import FedTestSupport
import XCTest

final class StatisticsTests: XCTestCase {
    func testMeanAndStd() {
        let m = matrix([[1, 10], [2, 20], [3, 60]])
        XCTAssertEqual(meanRow(m), [2, 30])
        assertClose(coordinateStd(m, ddof: 1), [1, 26.457513], accuracy: 1e-4)
        assertClose(coordinateStd(m, ddof: 0), [0.816497, 21.602469], accuracy: 1e-4)
        XCTAssertTrue(coordinateStd(matrix([[1, 2]]), ddof: 1).allSatisfy { $0.isNaN })
        XCTAssertEqual(meanRow(UpdateMatrix(rows: 0, columns: 3)), [0, 0, 0])
    }

    func testDoubleAccumulation() {
        // 1e7 + 1 + 1 − 1e7 in Float loses the ones; Double keeps them.
        let m = matrix([[16_777_216], [1], [1], [-16_777_216]])
        XCTAssertEqual(meanRow(m), [0.5])
    }
}
