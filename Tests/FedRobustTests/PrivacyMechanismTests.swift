import FedCore
import FedTestSupport
import FedRobust
import XCTest

// MARK: - Small inner rules for the wrapper

/// Uniform mean of the rows; records the row norms it was given.
private struct RecordingMean: Aggregator {
    var seenNorms: [Double] = []
    var name: String { "mean" }
    func check(n: Int) throws(AggregatorError) {
        guard n >= 1 else { throw .tooFewUpdates(rule: name, needed: 1, got: n) }
    }
    mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        seenNorms = (0..<updates.rows).map { updates.rowNorm($0) }
        let mean = try WeightedMean.aggregate(updates, weights: [Double](repeating: 1, count: updates.rows))
        let decisions = (0..<updates.rows).map { _ in ClientDecision(selected: true, weight: 1 / Double(updates.rows)) }
        return AggregationResult(aggregate: mean, decisions: decisions)
    }
}

/// Makes no update (as FLTrust does when every trust score is 0).
private struct Abstain: Aggregator {
    var name: String { "abstain" }
    func check(n: Int) throws(AggregatorError) {}
    mutating func aggregate(_ updates: UpdateMatrix, context: AggregationContext) throws -> AggregationResult {
        AggregationResult(aggregate: [Float](repeating: 0, count: updates.columns),
                          decisions: (0..<updates.rows).map { _ in ClientDecision(selected: false, weight: 0) },
                          applied: false)
    }
}

final class PrivacyMechanismTests: XCTestCase {
    private func context(n: Int, seed: UInt64 = 42, round: Int = 1) -> AggregationContext {
        AggregationContext(round: round, clientIds: Array(0..<n), weights: [Double](repeating: 1, count: n),
                           rng: SeededRNG(seed: seed).derive("round", round))
    }

    /// Rows of very different norms, some inside the ball of radius C.
    private func randomMatrix(n: Int, d: Int, seed: UInt64) -> UpdateMatrix {
        var rng = SeededRNG(seed: seed)
        var m = UpdateMatrix(rows: n, columns: d)
        for i in 0..<n {
            let scale = [0.001, 0.05, 0.3, 1, 7, 300][i % 6]
            m.setRow(i, (0..<d).map { _ in Float(scale * rng.nextGaussian()) })
        }
        return m
    }

    // MARK: - Clipping

    func testClippingBoundHoldsAndSmallRowsAreUntouched() {
        let c = 1.5
        let original = randomMatrix(n: 24, d: 333, seed: 7)
        var m = original
        let outcomes = GaussianMechanism.clipRows(&m, to: c)
        XCTAssertEqual(outcomes.count, 24)
        for i in 0..<m.rows {
            XCTAssertLessThanOrEqual(m.rowNorm(i), c + 1e-6, "row \(i)")
            XCTAssertEqual(outcomes[i].norm, original.rowNorm(i), accuracy: 1e-9)
            if original.rowNorm(i) <= c {
                XCTAssertFalse(outcomes[i].clipped)
                XCTAssertEqual(m.row(i), original.row(i), "row \(i) under C must be untouched")
            } else {
                XCTAssertTrue(outcomes[i].clipped)
                XCTAssertEqual(m.rowNorm(i), c, accuracy: 1e-5, "clipped rows land on the sphere")
                // Direction kept: clipped row is a positive multiple of the original.
                let ratio = Double(m.row(i)[0]) / Double(original.row(i)[0])
                XCTAssertEqual(ratio, c / original.rowNorm(i), accuracy: 1e-5 * ratio)
            }
        }
        XCTAssertEqual(GaussianMechanism.clipFactor(norm: 0, bound: 1), 1)
        XCTAssertEqual(GaussianMechanism.clipFactor(norm: 4, bound: 1), 0.25)
    }

    func testWrapperHandsClippedRowsToInnerRule() throws {
        let c = 0.8
        let m = randomMatrix(n: 12, d: 40, seed: 3)
        var wrapped = try DPWrapped(inner: RecordingMean(), clip: c, noiseMultiplier: 0, expectedClients: 12)
        let result = try wrapped.aggregate(m, context: context(n: 12))
        let recorder = try XCTUnwrap(wrapped.inner as? RecordingMean)
        XCTAssertEqual(recorder.seenNorms.count, 12)
        for (i, norm) in recorder.seenNorms.enumerated() {
            XCTAssertLessThanOrEqual(norm, c + 1e-6)
            XCTAssertEqual(result.decisions[i].clipped, m.rowNorm(i) > c)
        }
        let expectedFraction = Double((0..<12).filter { m.rowNorm($0) > c }.count) / 12
        XCTAssertEqual(result.figures["clipped_fraction"], expectedFraction)
        XCTAssertEqual(result.figures["noise_std"], 0)
    }

    // MARK: - DP-FedAvg arithmetic

    /// Fixed denominator, by hand: C = 1, rows (3, 4) → (0.6, 0.8) and (0, 0.5) untouched;
    /// sum (0.6, 1.3); qN = 4 → (0.15, 0.325), not the realised-count mean (0.3, 0.65).
    func testFixedDenominatorByHand() throws {
        var dp = try DPFedAvg(clip: 1, noiseMultiplier: 0, expectedClients: 4)
        let r = try dp.aggregate(matrix([[3, 4], [0, 0.5]]), context: context(n: 2))
        XCTAssertEqual(r.aggregate[0], 0.15, accuracy: 1e-7)
        XCTAssertEqual(r.aggregate[1], 0.325, accuracy: 1e-7)
        XCTAssertEqual(r.decisions.map(\.clipped), [true, false])
        XCTAssertEqual(r.decisions.map(\.weight), [0.5, 0.5])
        XCTAssertEqual(r.decisions[0].score ?? 0, 5, accuracy: 1e-12, "score is the norm before clipping")
        XCTAssertEqual(r.figures["clipped_fraction"], 0.5)
        XCTAssertEqual(r.figures["noise_std"], 0)

        // Same rows, more clients expected than arrived and no clipping (C = 10): sum / qN.
        var wide = try DPFedAvg(clip: 10, noiseMultiplier: 0, expectedClients: 5)
        let w = try wide.aggregate(matrix([[1, 2], [3, 4]]), context: context(n: 2))
        XCTAssertEqual(w.aggregate, [0.8, 1.2])
    }

    /// Client weights are ignored (w_k = 1): local sample counts must not scale sensitivity.
    func testWeightsAreIgnored() throws {
        var dp = try DPFedAvg(clip: 10, noiseMultiplier: 0, expectedClients: 2)
        var ctx = context(n: 2)
        ctx.weights = [1000, 1]
        let r = try dp.aggregate(matrix([[2, 0], [0, 2]]), context: ctx)
        XCTAssertEqual(r.aggregate, [1, 1])
    }

    // MARK: - Noise

    /// Zero updates, d = 200,000: the output is pure noise with std z·C/(qN).
    func testNoiseHasIntendedStandardDeviation() throws {
        let d = 200_000
        let zeros = UpdateMatrix(rows: 3, columns: d)
        let z = 1.1, c = 0.7, qN = 2.5
        let target = z * c / qN
        var dp = try DPFedAvg(clip: c, noiseMultiplier: z, expectedClients: qN)
        XCTAssertEqual(dp.noiseStd, target, accuracy: 1e-15)
        var wrapped = try DPWrapped(inner: RecordingMean(), clip: c, noiseMultiplier: z, expectedClients: qN)
        XCTAssertEqual(wrapped.noiseStd, target, accuracy: 1e-15)
        for (label, result) in [("dp-fedavg", try dp.aggregate(zeros, context: context(n: 3))),
                                ("dp(mean)", try wrapped.aggregate(zeros, context: context(n: 3)))] {
            XCTAssertEqual(result.aggregate.count, d)
            XCTAssertEqual(result.figures["noise_std"] ?? 0, target, accuracy: 1e-15)
            let mean = result.aggregate.reduce(0.0) { $0 + Double($1) } / Double(d)
            let variance = result.aggregate.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(d - 1)
            let std = variance.squareRoot()
            XCTAssertEqual(std / target, 1, accuracy: 0.01, "\(label): sample std \(std), intended \(target)")
            // Mean of d draws: standard error target/√d ≈ 0.0022·target; allow 5 standard errors.
            XCTAssertEqual(mean, 0, accuracy: 5 * target / Double(d).squareRoot(), label)
        }
    }

    func testDeterministicPerRNG() throws {
        let m = randomMatrix(n: 6, d: 500, seed: 11)
        var a = try DPFedAvg(clip: 1, noiseMultiplier: 1, expectedClients: 6)
        var b = a
        let r1 = try a.aggregate(m, context: context(n: 6, seed: 5))
        let r2 = try b.aggregate(m, context: context(n: 6, seed: 5))
        let r3 = try a.aggregate(m, context: context(n: 6, seed: 6))
        let r4 = try a.aggregate(m, context: context(n: 6, seed: 5, round: 2))
        XCTAssertEqual(r1.aggregate, r2.aggregate, "same rng, same bits")
        XCTAssertNotEqual(r1.aggregate, r3.aggregate, "another seed, other noise")
        XCTAssertNotEqual(r1.aggregate, r4.aggregate, "another round, other noise")

        var w1 = try DPWrapped(inner: RecordingMean(), clip: 1, noiseMultiplier: 1, expectedClients: 6)
        var w2 = w1
        XCTAssertEqual(try w1.aggregate(m, context: context(n: 6, seed: 9)).aggregate,
                       try w2.aggregate(m, context: context(n: 6, seed: 9)).aggregate)
    }

    /// With the mean as inner rule and qN = n, the wrapper and DP-FedAvg release the same
    /// distribution; with the same noise stream, nearly the same numbers (Float rounding apart).
    func testWrappedMeanMatchesDPFedAvgWhenCohortIsExpected() throws {
        let m = randomMatrix(n: 8, d: 300, seed: 21)
        var dp = try DPFedAvg(clip: 0.5, noiseMultiplier: 0.9, expectedClients: 8)
        var wrapped = try DPWrapped(inner: RecordingMean(), clip: 0.5, noiseMultiplier: 0.9, expectedClients: 8)
        let a = try dp.aggregate(m, context: context(n: 8)).aggregate
        let b = try wrapped.aggregate(m, context: context(n: 8)).aggregate
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-5) }
    }

    func testWrapperAddsNoNoiseWhenInnerAbstains() throws {
        var wrapped = try DPWrapped(inner: Abstain(), clip: 1, noiseMultiplier: 2, expectedClients: 3)
        let r = try wrapped.aggregate(matrix([[5, 5], [1, 0], [0, 1]]), context: context(n: 3))
        XCTAssertFalse(r.applied)
        XCTAssertEqual(r.aggregate, [0, 0])
        XCTAssertEqual(r.decisions.map(\.clipped), [true, false, false])
    }

    // MARK: - Guarantees and configuration

    func testPrivacyAwareFlags() throws {
        let rules: [any PrivacyAware] = [
            try DPFedAvg(clip: 1, noiseMultiplier: 1.1, expectedClients: 10),
            try DPWrapped(inner: RecordingMean(), clip: 1, noiseMultiplier: 1.1, expectedClients: 10),
        ]
        XCTAssertTrue(rules[0].epsilonApplies)
        XCTAssertFalse(rules[1].epsilonApplies)
        XCTAssertEqual(rules.map(\.noiseMultiplier), [1.1, 1.1])
        XCTAssertTrue(rules[1].guaranteeNote.contains("does NOT hold"), rules[1].guaranteeNote)
        XCTAssertTrue(rules[1].guaranteeNote.contains("sensitivity"))
        XCTAssertTrue(rules[0].guaranteeNote.contains("user-level"))
        XCTAssertEqual((rules[1] as? DPWrapped)?.name, "dp(mean)")
    }

    func testRejectsBadHyperparameters() {
        XCTAssertThrowsError(try DPFedAvg(clip: 0, noiseMultiplier: 1, expectedClients: 10)) {
            guard case .parameter(rule: "dp-fedavg", _) = $0 as? AggregatorError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try DPFedAvg(clip: 1, noiseMultiplier: -1, expectedClients: 10))
        XCTAssertThrowsError(try DPFedAvg(clip: 1, noiseMultiplier: 1, expectedClients: 0))
        XCTAssertThrowsError(try DPWrapped(inner: RecordingMean(), clip: .infinity, noiseMultiplier: 1, expectedClients: 1))
        // The wrapper forwards the inner rule's precondition.
        XCTAssertThrowsError(try DPWrapped(inner: RecordingMean(), clip: 1, noiseMultiplier: 1, expectedClients: 1).check(n: 0)) {
            XCTAssertEqual($0 as? AggregatorError, .tooFewUpdates(rule: "mean", needed: 1, got: 0))
        }
    }
}
