@testable import FedSim
import XCTest

/// Which clients take part in a round: a function of (clients, fraction, seed, round) only.
final class ClientSamplerTests: XCTestCase {
    private func sampler(clients: Int, fraction: Double, seed: UInt64) throws -> ClientSampler {
        ClientSampler(try Tiny.scenario("seed: \(seed)\nfederation: {clients: \(clients), fraction: \(fraction)}"))
    }

    /// Pinned draws: changing them changes every run's results (the seed's contract).
    func testSampledIdsOfSmallCases() throws {
        let table: [(clients: Int, fraction: Double, seed: UInt64, round: Int, ids: [Int])] = [
            (10, 0.3, 1, 1, [1, 2, 8]),
            (10, 0.3, 1, 2, [0, 3, 5]),
            (10, 0.3, 2, 1, [0, 1, 5]),
            (5, 0.5, 7, 1, [0, 1, 2]),       // round(2.5) = 3
            (5, 0.5, 7, 3, [0, 2, 4]),
            (4, 0.1, 1, 1, [0]),             // round(0.4) = 0, but at least 1
            (20, 0.25, 42, 5, [1, 2, 3, 7, 15]),
            (7, 1.0, 3, 9, [0, 1, 2, 3, 4, 5, 6]),
        ]
        for c in table {
            let s = try sampler(clients: c.clients, fraction: c.fraction, seed: c.seed)
            XCTAssertEqual(s.sample(round: c.round), c.ids, "clients \(c.clients) fraction \(c.fraction) seed \(c.seed) round \(c.round)")
        }
    }

    func testPerRoundCount() throws {
        let table: [(clients: Int, fraction: Double, perRound: Int)] = [
            (10, 1.0, 10), (10, 0.3, 3), (10, 0.25, 3), (10, 0.24, 2), (5, 0.5, 3), (4, 0.1, 1), (1, 0.01, 1), (1000, 0.1, 100),
        ]
        for c in table {
            XCTAssertEqual(try sampler(clients: c.clients, fraction: c.fraction, seed: 1).perRound, c.perRound,
                           "clients \(c.clients) fraction \(c.fraction)")
        }
    }

    func testDeterministicSortedDistinctAndVaryingByRound() throws {
        let a = try sampler(clients: 50, fraction: 0.2, seed: 9)
        let b = try sampler(clients: 50, fraction: 0.2, seed: 9)
        let other = try sampler(clients: 50, fraction: 0.2, seed: 10)
        var distinct: Set<[Int]> = []
        var differsFromOtherSeed = false
        for r in 1...30 {
            let ids = a.sample(round: r)
            XCTAssertEqual(ids, b.sample(round: r), "round \(r): another sampler, the same ids")
            XCTAssertEqual(ids, a.sample(round: r), "round \(r): asking again, the same ids")
            XCTAssertEqual(ids.count, 10)
            XCTAssertEqual(ids, Array(Set(ids)).sorted(), "sorted and distinct")
            XCTAssertTrue(ids.allSatisfy { (0..<50).contains($0) })
            distinct.insert(ids)
            if ids != other.sample(round: r) { differsFromOtherSeed = true }
        }
        XCTAssertGreaterThan(distinct.count, 25, "rounds draw different clients")
        XCTAssertTrue(differsFromOtherSeed)
    }
}
