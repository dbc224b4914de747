import FedTestSupport
import XCTest
@testable import FedCore

final class DataTransformTests: XCTestCase {
    private func dataset(_ rows: [[Float]], labels: [Int32], classes: Int? = nil) -> Dataset {
        Dataset(features: rows.flatMap { $0 }, labels: labels, dimension: rows.first?.count ?? 0,
                classes: classes ?? Int((labels.max() ?? 0) + 1), name: "t")
    }

    // MARK: - Normalisation

    func testMinMaxHandComputed() {
        // Feature 0: min 1, max 5; feature 1: constant 7; feature 2: min -2, max 2.
        let train = dataset([[1, 7, -2], [3, 7, 0], [5, 7, 2]], labels: [0, 1, 0])
        let n = Normalizer.fit(.minmax, on: train)
        var t = train
        n.apply(to: &t)
        assertClose(t.features, [0, 0, 0, 0.5, 0, 0.5, 1, 0, 1], accuracy: 1e-6)
        // Test data uses the training statistics, without clipping.
        var test = dataset([[9, 8, -1]], labels: [1])
        n.apply(to: &test)
        assertClose(test.features, [2, 0, 0.25], accuracy: 1e-6)
    }

    func testStandardHandComputed() {
        // Feature 0: 2, 4, 6 -> mean 4, population sd sqrt(8/3) = 1.632993.
        // Feature 1: constant 3 -> sd 0 -> treated as 1 -> all 0.
        let train = dataset([[2, 3], [4, 3], [6, 3]], labels: [0, 0, 1])
        let n = Normalizer.fit(.standard, on: train)
        XCTAssertEqual(n.offset, [4, 3])
        let t = n.applied(to: train)
        let z: Float = 2 / 1.6329932
        assertClose(t.features, [-z, 0, 0, 0, z, 0], accuracy: 1e-5)
        var test = dataset([[8, 5]], labels: [1])
        n.apply(to: &test)
        assertClose(test.features, [4 / 1.6329932, 2], accuracy: 1e-5)
        // Standardised training features have mean 0 and variance 1.
        let col0 = [t.features[0], t.features[2], t.features[4]]
        XCTAssertEqual(col0.reduce(0, +), 0, accuracy: 1e-6)
        XCTAssertEqual(col0.map { $0 * $0 }.reduce(0, +) / 3, 1, accuracy: 1e-5)
    }

    func testNoneLeavesDataAlone() {
        let train = dataset([[2, 3], [4, 5]], labels: [0, 1])
        XCTAssertEqual(Normalizer.fit(.none, on: train).applied(to: train), train)
        XCTAssertEqual(NormalizationKind.allCases.map(\.rawValue), ["none", "minmax", "standard", "pixels", "channels"])
    }

    func testPixelsDivideBy255() {
        let train = dataset([[0, 51, 255], [102, 7, 1]], labels: [0, 1])
        let t = Normalizer.fit(.pixels, on: train).applied(to: train)
        assertClose(t.features, [0, 0.2, 1, 0.4, 7.0 / 255, 1.0 / 255], accuracy: 1e-7)
    }

    func testChannelsStandardiseEachImageChannel() {
        // Two samples of shape [2, 1, 2]: channel 0 holds 1, 3, 5, 7 (mean 4, sd sqrt(5));
        // channel 1 holds 10, 10, 10, 10 (sd 0, treated as 1).
        let train = Dataset(features: [1, 3, 10, 10, 5, 7, 10, 10], labels: [0, 1], dimension: 4, shape: [2, 1, 2],
                            classes: 2, name: "img")
        let n = Normalizer.fit(.channels, on: train)
        let stats = Normalizer.channelStatistics(train)
        XCTAssertEqual(stats.map(\.mean), [4, 10])
        XCTAssertEqual(stats[0].sd, 5.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(stats[1].sd, 0)
        XCTAssertEqual(n.offset, [4, 4, 10, 10])
        let r = Float(1 / 5.0.squareRoot())
        assertClose(n.applied(to: train).features, [-3 * r, -r, 0, 0, r, 3 * r, 0, 0], accuracy: 1e-6)
        // Flat samples are one channel: 1, 2, 3, 4 -> mean 2.5, sd sqrt(1.25).
        let flat = dataset([[1, 2], [3, 4]], labels: [0, 1])
        let f = Normalizer.fit(.channels, on: flat)
        XCTAssertEqual(f.offset, [2.5, 2.5])
        assertClose(f.scale, [1 / 1.25.squareRoot(), 1 / 1.25.squareRoot()], accuracy: 1e-6)
    }

    func testChannelsOnRawMNISTLikePixelsMatchTheirScaledStatistics() {
        // torchvision's Normalize(m, s) after ToTensor (x / 255) is (x / 255 - m) / s = (x - 255 m) / (255 s):
        // fitting on raw pixels gives the same map, so MNIST's published 0.1307 / 0.3081 are μ / 255, σ / 255.
        let raw = Dataset(features: [0, 0, 255, 51], labels: [0, 1], dimension: 2, shape: [1, 1, 2], classes: 2, name: "px")
        let scaled = Dataset(features: raw.features.map { $0 / 255 }, labels: raw.labels, dimension: 2, shape: [1, 1, 2],
                             classes: 2, name: "px")
        assertClose(Normalizer.fit(.channels, on: raw).applied(to: raw).features,
                    Normalizer.fit(.channels, on: scaled).applied(to: scaled).features, accuracy: 1e-5)
    }

    func testMinMaxOnDigitsIsInUnitInterval() throws {
        let digits = try DigitsData.load()
        let d = Normalizer.fit(.minmax, on: digits).applied(to: digits)
        XCTAssertEqual(d.features.min(), 0)
        XCTAssertLessThanOrEqual(d.features.max() ?? 2, 1.0000001)
    }

    // MARK: - Stratified split

    func testStratifiedSplitPreservesProportionsAndIsAPartition() throws {
        let digits = try DigitsData.load()
        var rng = SeededRNG(seed: 42)
        let (train, test) = stratifiedSplit(digits, testFraction: 0.2, rng: &rng)
        XCTAssertEqual(train.count + test.count, digits.count)
        let all = digits.labelCounts()
        let testCounts = test.labelCounts()
        let trainCounts = train.labelCounts()
        for k in 0..<10 {
            XCTAssertEqual(testCounts[k], Int((0.2 * Double(all[k])).rounded(.toNearestOrAwayFromZero)))
            XCTAssertEqual(testCounts[k] + trainCounts[k], all[k])
        }

        var rng2 = SeededRNG(seed: 42)
        let (trIdx, teIdx) = stratifiedSplitIndices(digits, testFraction: 0.2, rng: &rng2)
        XCTAssertTrue(Set(trIdx).isDisjoint(with: teIdx))
        XCTAssertEqual(Set(trIdx).union(teIdx), Set(0..<digits.count))
        XCTAssertEqual(trIdx, trIdx.sorted())
        XCTAssertEqual(teIdx, teIdx.sorted())
        XCTAssertEqual(digits.subset(teIdx), test)
        XCTAssertEqual(digits.subset(trIdx), train)

        // Same seed, same split; another seed, another split.
        var rng3 = SeededRNG(seed: 42)
        XCTAssertEqual(stratifiedSplit(digits, testFraction: 0.2, rng: &rng3).test, test)
        var rng4 = SeededRNG(seed: 43)
        XCTAssertNotEqual(stratifiedSplit(digits, testFraction: 0.2, rng: &rng4).test, test)
    }

    func testStratifiedSplitEdgeFractions() {
        let d = dataset([[0], [1], [2], [3]], labels: [0, 0, 1, 1])
        var rng = SeededRNG(seed: 1)
        XCTAssertEqual(stratifiedSplit(d, testFraction: 0, rng: &rng).test.count, 0)
        XCTAssertEqual(stratifiedSplit(d, testFraction: 1, rng: &rng).train.count, 0)
        // round(0.5 * 2) = 1 per class.
        XCTAssertEqual(stratifiedSplit(d, testFraction: 0.5, rng: &rng).test.labelCounts(), [1, 1])
    }

    // MARK: - Gaussian mixture

    func testGaussianMixtureShapesBalanceAndDeterminism() throws {
        let spec = GaussianMixture(samples: 1003, features: 5, classes: 4, separation: 4)
        try spec.validate()
        var rng = SeededRNG(seed: 7)
        let d = spec.generate(rng: &rng)
        XCTAssertEqual(d.count, 1003)
        XCTAssertEqual(d.dimension, 5)
        XCTAssertEqual(d.classes, 4)
        XCTAssertEqual(d.features.count, 1003 * 5)
        XCTAssertEqual(d.labelCounts(), [251, 251, 251, 250])
        XCTAssertEqual(d.name, "synthetic")
        XCTAssertTrue(d.features.allSatisfy(\.isFinite))

        var again = SeededRNG(seed: 7)
        XCTAssertEqual(spec.generate(rng: &again), d)
        var other = SeededRNG(seed: 8)
        XCTAssertNotEqual(spec.generate(rng: &other), d)

        // Class means lie near the sphere of radius `separation`, noise has unit variance.
        for k in 0..<4 {
            let rows = (0..<d.count).filter { d.labels[$0] == Int32(k) }
            var mean = [Double](repeating: 0, count: 5)
            for i in rows { for j in 0..<5 { mean[j] += Double(d.features[i * 5 + j]) / Double(rows.count) } }
            let radius = mean.map { $0 * $0 }.reduce(0, +).squareRoot()
            XCTAssertEqual(radius, 4, accuracy: 0.4)
            var variance = 0.0
            for i in rows {
                for j in 0..<5 {
                    let e = Double(d.features[i * 5 + j]) - mean[j]
                    variance += e * e
                }
            }
            XCTAssertEqual(variance / Double(rows.count * 5), 1, accuracy: 0.15)
        }
    }

    func testGaussianMixtureValidation() {
        XCTAssertThrowsError(try GaussianMixture(samples: 0, features: 2, classes: 2).validate())
        XCTAssertThrowsError(try GaussianMixture(samples: 10, features: 2, classes: 1).validate())
        XCTAssertThrowsError(try GaussianMixture(samples: 10, features: 2, classes: 2, separation: -1).validate())
    }

    // MARK: - Gamma and Dirichlet

    func testGammaMeanAndVariance() {
        for shape in [0.05, 0.3, 1.0, 2.5, 10.0] {
            var rng = SeededRNG(seed: 11)
            let n = 100_000
            var sum = 0.0
            var sumSq = 0.0
            for _ in 0..<n {
                let g = rng.nextGamma(shape: shape)
                XCTAssertGreaterThanOrEqual(g, 0)
                sum += g
                sumSq += g * g
            }
            let mean = sum / Double(n)
            let variance = sumSq / Double(n) - mean * mean
            // Standard error of the mean is sqrt(shape / n); allow 5 of them.
            XCTAssertEqual(mean, shape, accuracy: 5 * (shape / Double(n)).squareRoot(), "shape \(shape)")
            XCTAssertEqual(variance, shape, accuracy: 0.1 * shape + 0.01, "shape \(shape)")
        }
    }

    func testDirichletSumsToOneEvenForTinyConcentration() {
        var rng = SeededRNG(seed: 3)
        for alpha in [0.001, 0.1, 1, 100] {
            for _ in 0..<50 {
                let p = rng.nextDirichlet(concentration: alpha, count: 20)
                XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-9)
                XCTAssertTrue(p.allSatisfy { $0 >= 0 && $0.isFinite })
            }
        }
    }
}
