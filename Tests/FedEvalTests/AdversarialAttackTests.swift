import FedCore
@testable import FedEval
import FedTestSupport
import XCTest

/// FGSM, PGD and Carlini–Wagner L2 as functions: FGSM's step on a hand-built model, PGD's
/// feasible set and strength, Carlini–Wagner's smaller perturbations.
final class AdversarialAttackTests: XCTestCase {
    /// A two-class logistic model on three features whose input gradient has a hand-known sign:
    /// with z = xW + b, d CE / d x_j = (p₁ − [y = 1]) (W_j1 − W_j0); W_j1 − W_j0 = (+2, −1, 0).
    /// For y = 0 the sign is (+, −, 0), for y = 1 it is (−, +, 0). The domain has widths 1, 2, 1.
    func testFGSMMovesEachFeatureByEpsilonTimesTheGradientSignClamped() {
        let model = LogisticRegression(inputDimension: 3, classes: 2)
        // W [3 x 2] row-major, then b.
        let parameters: [Float] = [0, 2, 0.5, -0.5, 0, 0, 0.1, -0.1]
        let domain = InputDomain(lower: [0, 0, 0], upper: [1, 2, 1])
        let cases: [(x: [Float], y: Int32, eps: Float, expected: [Float], line: UInt)] = [
            ([0.5, 1.0, 0.3], 0, 0.1, [0.6, 0.8, 0.3], #line),   // + 0.1 * 1, - 0.1 * 2, unchanged
            ([0.5, 1.0, 0.3], 1, 0.1, [0.4, 1.2, 0.3], #line),
            ([0.95, 0.1, 0.3], 0, 0.1, [1.0, 0.0, 0.3], #line),  // clamped at both ends
            ([0.5, 1.0, 0.3], 0, 0.25, [0.75, 0.5, 0.3], #line),
        ]
        for c in cases {
            var x = c.x
            // The model's own input gradient has the hand-computed sign.
            let sign: [Float] = c.y == 0 ? [1, -1, 0] : [-1, 1, 0]
            var g = [Float](repeating: 0, count: 3)
            parameters.withUnsafeBufferPointer { p in
                x.withUnsafeBufferPointer { xp in
                    [c.y].withUnsafeBufferPointer { y in
                        g.withUnsafeMutableBufferPointer { gp in
                            _ = model.lossAndGradients(parameters: p, inputs: xp, labels: y, batchSize: 1, gradient: nil, inputGradient: gp)
                        }
                    }
                }
            }
            XCTAssertEqual(g.map { WhiteBox.sign($0) }, sign, line: c.line)
            parameters.withUnsafeBufferPointer { p in
                x.withUnsafeMutableBufferPointer { xp in
                    [c.y].withUnsafeBufferPointer { y in
                        FGSM(epsilon: c.eps).perturb(model: model, parameters: p, inputs: xp, labels: y, batchSize: 1,
                                                     domain: domain, workspace: AttackWorkspace())
                    }
                }
            }
            assertClose(x, c.expected, accuracy: 1e-6, line: c.line)
        }
    }

    /// The check values of docs/ALGORITHMS.md 10.1 / 17.1: W = [[0, 0], [2, -1]] (rows = classes),
    /// b = (0, 0.5), x = (0.5, 0.5), y = 1: CE 0.313262, input gradient (-0.537883, 0.268941),
    /// FGSM at 0.1 -> (0.4, 0.6).
    func testFGSMCheckValues() {
        let model = LogisticRegression(inputDimension: 2, classes: 2)
        let parameters: [Float] = [0, 2, 0, -1, 0, 0.5]   // W [in x out] row-major, then b
        var x: [Float] = [0.5, 0.5]
        var g: [Float] = [0, 0]
        let loss = parameters.withUnsafeBufferPointer { p in
            x.withUnsafeBufferPointer { xp in
                [Int32(1)].withUnsafeBufferPointer { y in
                    g.withUnsafeMutableBufferPointer { gp in
                        model.lossAndGradients(parameters: p, inputs: xp, labels: y, batchSize: 1, gradient: nil, inputGradient: gp)
                    }
                }
            }
        }
        XCTAssertEqual(loss, 0.313262, accuracy: 1e-6)
        assertClose(g, [-0.537883, 0.268941], accuracy: 1e-6)
        parameters.withUnsafeBufferPointer { p in
            x.withUnsafeMutableBufferPointer { xp in
                [Int32(1)].withUnsafeBufferPointer { y in
                    FGSM(epsilon: 0.1).perturb(model: model, parameters: p, inputs: xp, labels: y, batchSize: 1,
                                               domain: InputDomain(lower: [0, 0], upper: [1, 1]), workspace: AttackWorkspace())
                }
            }
        }
        assertClose(x, [0.4, 0.6], accuracy: 1e-6)
    }

    /// Every PGD iterate's result lies in the ε-ball around the clean input and in the domain,
    /// and PGD (20 steps, random start) breaks at least as many inputs as FGSM on the same ones.
    func testPGDStaysInTheBallAndTheDomainAndIsAtLeastAsStrongAsFGSM() {
        let t = DigitsFixture.trained
        let data = t.test.subset(Array(0..<200))
        let workspace = AttackWorkspace()
        let d = 64
        for eps: Float in [0.05, 0.1, 0.2] {
            var fgsm = data.features, pgd = data.features
            var rng = SeededRNG(seed: 5)
            t.parameters.withUnsafeBufferPointer { p in
                data.labels.withUnsafeBufferPointer { y in
                    fgsm.withUnsafeMutableBufferPointer { x in
                        FGSM(epsilon: eps).perturb(model: t.model, parameters: p, inputs: x, labels: y, batchSize: data.count,
                                                   domain: t.domain, workspace: workspace)
                    }
                    pgd.withUnsafeMutableBufferPointer { x in
                        PGD(epsilon: eps, stepSize: eps / 4, steps: 20).perturb(
                            model: t.model, parameters: p, inputs: x, labels: y, batchSize: data.count, domain: t.domain,
                            rng: &rng, workspace: workspace)
                    }
                }
            }
            for i in 0..<(data.count * d) {
                XCTAssertLessThanOrEqual(abs(pgd[i] - data.features[i]), eps * (1 + 1e-6), "eps \(eps), value \(i)")
                XCTAssertTrue(pgd[i] >= 0 && pgd[i] <= 1, "eps \(eps), value \(i) = \(pgd[i]) left the domain")
            }
            func accuracy(_ x: [Float]) -> Double {
                evaluate(model: t.model, parameters: t.parameters,
                         data: Dataset(features: x, labels: data.labels, dimension: d, classes: 10, name: "a")).accuracy
            }
            let clean = accuracy(data.features), afterFGSM = accuracy(fgsm), afterPGD = accuracy(pgd)
            XCTAssertLessThan(afterFGSM, clean, "eps \(eps)")
            XCTAssertLessThanOrEqual(afterPGD, afterFGSM, "eps \(eps): PGD \(afterPGD) vs FGSM \(afterFGSM)")
        }
    }

    /// One step of size ε from the clean input without a random start is FGSM, bit for bit.
    func testOneStepPGDWithoutRandomStartIsFGSM() {
        let t = DigitsFixture.trained
        let data = t.test.subset(Array(0..<20))
        var a = data.features, b = data.features
        var rng = SeededRNG(seed: 1)
        t.parameters.withUnsafeBufferPointer { p in
            data.labels.withUnsafeBufferPointer { y in
                a.withUnsafeMutableBufferPointer { x in
                    FGSM(epsilon: 0.1).perturb(model: t.model, parameters: p, inputs: x, labels: y, batchSize: 20,
                                               domain: t.domain, workspace: AttackWorkspace())
                }
                b.withUnsafeMutableBufferPointer { x in
                    PGD(epsilon: 0.1, stepSize: 0.1, steps: 1, randomStart: false).perturb(
                        model: t.model, parameters: p, inputs: x, labels: y, batchSize: 20, domain: t.domain, rng: &rng,
                        workspace: AttackWorkspace())
                }
            }
        }
        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern))
    }

    /// On inputs FGSM misclassifies, Carlini–Wagner finds a misclassified input closer in L2,
    /// and what it returns is misclassified by the model.
    func testCarliniWagnerFindsSmallerL2PerturbationsThanFGSM() {
        let t = DigitsFixture.trained
        let data = t.test.subset(Array(0..<60))
        let d = 64
        var fgsm = data.features
        t.parameters.withUnsafeBufferPointer { p in
            data.labels.withUnsafeBufferPointer { y in
                fgsm.withUnsafeMutableBufferPointer { x in
                    FGSM(epsilon: 0.2).perturb(model: t.model, parameters: p, inputs: x, labels: y, batchSize: data.count,
                                               domain: t.domain, workspace: AttackWorkspace())
                }
            }
        }
        let clean = predict(model: t.model, parameters: t.parameters, data: data)
        let afterFGSM = predict(model: t.model, parameters: t.parameters,
                                data: Dataset(features: fgsm, labels: data.labels, dimension: d, classes: 10, name: "f"))
        let broken = (0..<data.count).filter { clean[$0] == data.labels[$0] && afterFGSM[$0] != data.labels[$0] }
        XCTAssertGreaterThanOrEqual(broken.count, 5)
        let targets = data.subset(broken)
        let cw = CarliniWagnerL2(steps: 100, searchSteps: 5)
        let r = cw.attack(model: t.model, parameters: t.parameters, inputs: targets.features, labels: targets.labels,
                          domain: t.domain, workspace: AttackWorkspace())
        let found = predict(model: t.model, parameters: t.parameters,
                            data: Dataset(features: r.adversarial, labels: targets.labels, dimension: d, classes: 10, name: "c"))
        for (k, i) in broken.enumerated() {
            XCTAssertTrue(r.success[k], "sample \(i): no adversarial input found")
            guard r.success[k] else { continue }
            XCTAssertNotEqual(found[k], targets.labels[k], "sample \(i): the returned input is still classified right")
            let fgsmL2 = (0..<d).reduce(0.0) { $0 + Double(fgsm[i * d + $1] - data.features[i * d + $1]) * Double(fgsm[i * d + $1] - data.features[i * d + $1]) }.squareRoot()
            let cwL2 = (0..<d).reduce(0.0) { $0 + Double(r.adversarial[k * d + $1] - targets.features[k * d + $1]) * Double(r.adversarial[k * d + $1] - targets.features[k * d + $1]) }.squareRoot()
            XCTAssertEqual(cwL2, r.l2[k], accuracy: 1e-3)
            XCTAssertLessThan(cwL2, fgsmL2, "sample \(i)")
            XCTAssertTrue(r.adversarial[(k * d)..<((k + 1) * d)].allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    /// A larger margin κ costs a larger perturbation.
    func testCarliniWagnerConfidenceCostsDistance() {
        let t = DigitsFixture.trained
        let clean = predict(model: t.model, parameters: t.parameters, data: t.test)
        let rows = Array((0..<t.test.count).filter { clean[$0] == t.test.labels[$0] }.prefix(10))
        let data = t.test.subset(rows)
        func meanL2(_ kappa: Float) -> Double {
            let r = CarliniWagnerL2(confidence: kappa).attack(model: t.model, parameters: t.parameters, inputs: data.features,
                                                              labels: data.labels, domain: t.domain, workspace: AttackWorkspace())
            XCTAssertTrue(r.success.allSatisfy { $0 }, "kappa \(kappa)")
            return r.l2.reduce(0, +) / Double(r.l2.count)
        }
        XCTAssertLessThan(meanL2(0), meanL2(2))
    }
}
