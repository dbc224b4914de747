import FedCore
@testable import FedEval
import XCTest

final class InputDomainTests: XCTestCase {
    /// Digits pixels [0, 16] through min-max scaling fitted on a feature spanning [2, 10]:
    /// (0 - 2) / 8 = -0.25 and (16 - 2) / 8 = 1.75.
    func testRawRangeMapsThroughTheNormalizer() {
        let data = Dataset(features: [2, 0, 10, 4], labels: [0, 1], dimension: 2, classes: 2, name: "t")
        let normalizer = Normalizer.fit(.minmax, on: data)
        let domain = InputDomain(raw: 0, 16, dimension: 2, normalizer: normalizer)
        XCTAssertEqual(domain.lower, [-0.25, 0])
        XCTAssertEqual(domain.upper, [1.75, 4])
        XCTAssertEqual(domain.width(0), 2)
    }

    func testSpanAndClampAndDisplay() {
        let data = Dataset(features: [1, 5, 3, -1], labels: [0, 1], dimension: 2, classes: 2, name: "t")
        let domain = InputDomain(spanOf: data)
        XCTAssertEqual(domain.lower, [1, -1])
        XCTAssertEqual(domain.upper, [3, 5])
        var x: [Float] = [0, 9, 2, 0]
        x.withUnsafeMutableBufferPointer { domain.clamp($0) }
        XCTAssertEqual(x, [1, 5, 2, 0])
        XCTAssertEqual(domain.display([2, 2]), [0.5, 0.5])
    }

    /// Clipping scales [3, 4] (norm 5) to norm 1; without noise the result is exact.
    func testObservationClipsAndAddsSeededNoise() {
        var rng = SeededRNG(seed: 1)
        XCTAssertEqual(UpdateObservation(clip: 1).observe([3, 4], rng: &rng), [0.6, 0.8])
        XCTAssertEqual(UpdateObservation(clip: 10).observe([3, 4], rng: &rng), [3, 4])
        var a = SeededRNG(seed: 7), b = SeededRNG(seed: 7)
        let noisy = UpdateObservation(noiseStd: 2).observe([0, 0, 0, 0], rng: &a)
        XCTAssertEqual(noisy, UpdateObservation(noiseStd: 2).observe([0, 0, 0, 0], rng: &b))
        XCTAssertNotEqual(noisy, [0, 0, 0, 0])
    }
}
