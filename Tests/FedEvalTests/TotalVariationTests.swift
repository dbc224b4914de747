@testable import FedEval
import XCTest

final class TotalVariationTests: XCTestCase {
    /// A 1x2x2 image [[0, 1], [0, 1]]: vertical pairs (2 of them) differ by 0, horizontal
    /// pairs (2) by 1 each, so TV = 0 + 1 = 1.
    func testHandComputedValues() {
        let cases: [(x: [Float], shape: [Int], tv: Float)] = [
            ([0, 1, 0, 1], [1, 2, 2], 1),
            ([0, 0, 0, 0], [1, 2, 2], 0),
            ([0, 0, 2, 2], [1, 2, 2], 2),          // one vertical edge of height 2
            ([0, 1, 2, 3, 4, 5], [1, 2, 3], 3 + 1), // vertical steps of 3, horizontal of 1
            ([0, 1, 1, 0], [4], 0),                // not an image
        ]
        for c in cases {
            XCTAssertEqual(TotalVariation.valueAndGradient(c.x, shape: c.shape).value, c.tv, accuracy: 1e-6, "\(c.x)")
        }
    }

    /// Away from ties (no two neighbours equal) the gradient matches central differences.
    func testGradientMatchesFiniteDifferences() {
        let shape = [2, 3, 4]
        let x: [Float] = (0..<24).map { Float(($0 * 37) % 24) * 0.1 + Float($0) * 0.003 }
        let (_, g) = TotalVariation.valueAndGradient(x, shape: shape)
        let h: Float = 1e-3
        for j in 0..<x.count {
            var up = x, down = x
            up[j] += h
            down[j] -= h
            let fd = (TotalVariation.valueAndGradient(up, shape: shape).value
                - TotalVariation.valueAndGradient(down, shape: shape).value) / (2 * h)
            XCTAssertEqual(g[j], fd, accuracy: 1e-3, "coordinate \(j)")
        }
    }
}
