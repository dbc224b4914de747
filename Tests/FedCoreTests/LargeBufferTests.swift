import FedCore
import XCTest

final class LargeBufferTests: XCTestCase {
    func testFloatsAreInitializedBelowAndAboveTheHugePageThreshold() {
        for count in [0, 1, 1_000, LargeBuffer.hugePageThreshold / 4 + 3] {
            let a = LargeBuffer.floats(count: count) { b in
                for i in 0..<b.count { b[i] = Float(i % 97) }
            }
            XCTAssertEqual(a.count, count)
            if count > 0 { XCTAssertEqual(a[count - 1], Float((count - 1) % 97)) }
            XCTAssertTrue(a.indices.allSatisfy { a[$0] == Float($0 % 97) })
            let z = LargeBuffer.zeros(count: count)
            XCTAssertEqual(z.count, count)
            XCTAssertTrue(z.allSatisfy { $0 == 0 && $0.sign == .plus })
        }
    }

    func testUpdateMatrixOfZerosUsesItAndStaysZero() {
        let m = UpdateMatrix(rows: 3, columns: LargeBuffer.hugePageThreshold / 8)
        XCTAssertEqual(m.values.count, 3 * LargeBuffer.hugePageThreshold / 8)
        XCTAssertTrue(m.values.allSatisfy { $0 == 0 })
    }
}
