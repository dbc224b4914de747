@testable import FedSim
import XCTest

/// Injected faults: a pure function of (seed, round, client), so the client processes (which
/// act on them) and the coordinator (which records them) agree without talking.
final class FaultPlanTests: XCTestCase {
    private func plan(_ faults: String, seed: UInt64 = 5) throws -> FaultPlan {
        FaultPlan(try Tiny.scenario("seed: \(seed)\nfaults: \(faults)"))
    }

    func testPinnedDraws() throws {
        let p = try plan("{dropout: 0.2, straggler: 0.5, delay: 1.5, distribution: exponential}")
        let table: [(round: Int, client: Int, fault: FaultPlan.Fault)] = [
            (1, 0, .straggler(delay: 1.1516552564915097)),
            (1, 1, .straggler(delay: 2.187662965788809)),
            (1, 2, .dropout),
            (2, 0, .straggler(delay: 0.32264711612497676)),
            (3, 4, .straggler(delay: 0.10746256214473884)),
            (4, 7, .dropout),
            (9, 3, .none),
        ]
        for c in table {
            XCTAssertEqual(p.fault(client: c.client, round: c.round), c.fault, "round \(c.round) client \(c.client)")
        }
    }

    func testNoFaultsWithoutAFaultsSection() throws {
        let p = FaultPlan(try Tiny.scenario("seed: 5"))
        for r in 1...20 { for c in 0..<10 { XCTAssertEqual(p.fault(client: c, round: r), .none) } }
    }

    func testSameSeedSameFaultsInAnyOrder() throws {
        let faults = "{dropout: 0.3, straggler: 0.3, delay: 2, distribution: uniform}"
        let a = try plan(faults), b = try plan(faults), other = try plan(faults, seed: 6)
        let pairs = (1...20).flatMap { r in (0..<10).map { (r, $0) } }
        let forward = pairs.map { a.fault(client: $0.1, round: $0.0) }
        let backward = pairs.reversed().map { b.fault(client: $0.1, round: $0.0) }.reversed()
        XCTAssertEqual(forward, Array(backward))
        XCTAssertNotEqual(forward, pairs.map { other.fault(client: $0.1, round: $0.0) })
    }

    /// Over 20,000 draws the shares match the probabilities within 4 standard errors.
    func testDropoutAndStragglerShares() throws {
        let p = try plan("{dropout: 0.2, straggler: 0.25, delay: 1, distribution: fixed}")
        var dropouts = 0, stragglers = 0
        let n = 20_000
        for k in 0..<n {
            switch p.fault(client: k % 100, round: 1 + k / 100) {
            case .dropout: dropouts += 1
            case .straggler(let delay):
                stragglers += 1
                XCTAssertEqual(delay, 1)
            case .none: break
            }
        }
        let drop = Double(dropouts) / Double(n)
        XCTAssertEqual(drop, 0.2, accuracy: 4 * (0.2 * 0.8 / Double(n)).squareRoot())
        // A straggler is drawn among those that did not drop out: 0.8 × 0.25 = 0.2 of all.
        XCTAssertEqual(Double(stragglers) / Double(n), 0.2, accuracy: 4 * (0.2 * 0.8 / Double(n)).squareRoot())
    }

    func testDelayDistributions() throws {
        func delays(_ distribution: String) throws -> [Double] {
            let p = try plan("{straggler: 1, delay: 2, distribution: \(distribution)}")
            return (0..<5000).map { k -> Double in
                if case let .straggler(delay) = p.fault(client: k % 50, round: 1 + k / 50) { return delay }
                XCTFail("straggler probability 1")
                return .nan
            }
        }
        let uniform = try delays("uniform")
        XCTAssertTrue(uniform.allSatisfy { $0 >= 0 && $0 <= 4 }, "uniform on [0, 2 · delay]")
        XCTAssertEqual(uniform.reduce(0, +) / 5000, 2, accuracy: 0.1)
        let exponential = try delays("exponential")
        XCTAssertTrue(exponential.allSatisfy { $0 > 0 && $0.isFinite })
        XCTAssertEqual(exponential.reduce(0, +) / 5000, 2, accuracy: 0.15)
        XCTAssertEqual(Set(try delays("fixed")), [2])
    }

    func testLabels() {
        XCTAssertEqual([FaultPlan.Fault.none, .dropout, .straggler(delay: 3)].map(\.label), ["", "dropout", "straggler"])
    }
}
