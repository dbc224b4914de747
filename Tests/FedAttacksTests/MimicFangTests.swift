import FedAttacks
import FedCore
import FedTestSupport
import XCTest

final class MimicFangTests: XCTestCase {
    func testMimicCopiesTheChosenBenignRow() throws {
        var rng = SeededRNG(seed: 1)
        let inp = input(own: [[0, 0], [0, 0]], benign: [[1, 2], [3, 4]])
        XCTAssertEqual(try Mimic().craft(inp, rng: &rng).values, [1, 2, 1, 2])
        XCTAssertEqual(try Mimic(index: 1).craft(inp, rng: &rng).values, [3, 4, 3, 4])
        XCTAssertThrowsError(try Mimic(index: 2).craft(inp, rng: &rng))
        XCTAssertThrowsError(try Mimic(index: -1))
    }

    func testFangIntervals() throws {
        let fang = try Fang()
        let table: [(Double, Double, Double, Double, Double)] = [
            // mean, lo, hi → low, high
            (1, 2, 5, 1, 2),        // s > 0, lo > 0: [lo/2, lo]
            (1, -2, 5, -4, -2),     // s > 0, lo ≤ 0: [2lo, lo]
            (-1, -5, 3, 3, 6),      // s ≤ 0, hi > 0: [hi, 2hi]
            (-1, -5, -2, -2, -1),   // s ≤ 0, hi ≤ 0: [hi, hi/2]
        ]
        for (mean, lo, hi, low, high) in table {
            let r = fang.interval(mean: mean, lo: lo, hi: hi)
            XCTAssertEqual(r.low, low)
            XCTAssertEqual(r.high, high)
        }
        XCTAssertThrowsError(try Fang(factor: 1))
    }

    func testFangDrawsInsideTheIntervalsIndependently() throws {
        // Column 0: mean 3 > 0, lo = 2 → [1, 2]. Column 1: mean −3, hi = −2 → [−2, −1].
        let inp = input(own: [[0, 0], [0, 0], [0, 0]], benign: [[2, -4], [4, -2]])
        var r1 = SeededRNG(seed: 4), r2 = SeededRNG(seed: 4)
        let out = try Fang().craft(inp, rng: &r1)
        XCTAssertEqual(out, try Fang().craft(inp, rng: &r2))
        XCTAssertEqual(out.rows, 3)
        XCTAssertFalse(allRowsEqual(out))
        for i in 0..<3 {
            XCTAssertTrue((1...2).contains(out.row(i)[0]))
            XCTAssertTrue((-2 ... -1).contains(out.row(i)[1]))
        }
    }
}
