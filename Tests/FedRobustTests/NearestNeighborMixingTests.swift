import FedCore
import FedRobust
import FedTestSupport
import XCTest

/// Nearest-neighbour mixing against hand-computed neighbourhoods, its bound, f auto, and the
/// mapping of the rule's decisions back to the clients.
final class NearestNeighborMixingTests: XCTestCase {
    private func context() -> PreAggregationContext {
        PreAggregationContext(round: 1, rng: SeededRNG(seed: 1).derive("nnm"))
    }

    /// ByzFL's docstring case, f = 1: x_1 is equally far from x_0 and x_2; the lower index wins.
    func testByzFLExample() throws {
        let x = matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        let out = try NearestNeighborMixing(f: .fixed(1)).apply(x, context: context())
        XCTAssertEqual(out.updates, matrix([[2.5, 3.5, 4.5], [2.5, 3.5, 4.5], [5.5, 6.5, 7.5]]))
        XCTAssertEqual(out.figures["nnm_f"], 1)
    }

    /// 1-d rows 0, 1, 2, 100 with f = 1 (3 neighbours): the outlier's mixed row is
    /// (100 + 2 + 1)/3; every honest row becomes 1.
    func testOutlierIsPulledTowardsTheCrowd() throws {
        let x = UpdateMatrix(rows: 4, columns: 1, values: [0, 1, 2, 100])
        let out = try NearestNeighborMixing(f: .fixed(1)).apply(x, context: context())
        assertClose(out.updates.values, [1, 1, 1, 103.0 / 3], accuracy: 1e-5)
        let third = 1.0 / 3
        XCTAssertEqual(out.mixing?.terms, [[.init(0, third), .init(1, third), .init(2, third)],
                                           [.init(0, third), .init(1, third), .init(2, third)],
                                           [.init(0, third), .init(1, third), .init(2, third)],
                                           [.init(1, third), .init(2, third), .init(3, third)]])
        XCTAssertEqual(out.mixing?.representative, [0, 1, 2, 3])
    }

    /// f = 0 mixes everything into the mean; f auto estimates 1 for the outlier above
    /// (median 1.5; distances 1.5, .5, .5, 98.5; MAD .5; z of the outlier ≈ 131 > 3.5).
    func testFZeroAndAuto() throws {
        let x = UpdateMatrix(rows: 4, columns: 1, values: [0, 1, 2, 100])
        let all = try NearestNeighborMixing(f: .fixed(0)).apply(x, context: context())
        assertClose(all.updates.values, [25.75, 25.75, 25.75, 25.75], accuracy: 1e-5)
        let auto = try NearestNeighborMixing(f: .auto).apply(x, context: context())
        XCTAssertEqual(auto.figures["nnm_f"], 1)
        XCTAssertEqual(auto.updates, try NearestNeighborMixing(f: .fixed(1)).apply(x, context: context()).updates)
    }

    func testBound() throws {
        let nnm = try NearestNeighborMixing(f: .fixed(2))
        XCTAssertEqual(thrownMessage { try nnm.check(n: 4) }, "nnm needs n > 2f; got n = 4, f = 2")
        XCTAssertNoThrow(try nnm.check(n: 5))
        XCTAssertEqual(thrownMessage { _ = try NearestNeighborMixing(f: .fixed(-1)) }, "nnm: f must be >= 0; got -1")
    }

    /// Decisions over the mixed rows of the outlier case: a client's weight is Σ over the
    /// rows whose neighbourhood holds it of weight/(n − f). Client 3 is only in its own row.
    func testDecisionsMapBackThroughTheNeighbourhoods() throws {
        let x = UpdateMatrix(rows: 4, columns: 1, values: [0, 1, 2, 100])
        let mixing = try XCTUnwrap(NearestNeighborMixing(f: .fixed(1)).apply(x, context: context()).mixing)
        // A mean over the four mixed rows (0.25 each).
        let mean = mixing.inputDecisions((0..<4).map { _ in ClientDecision(selected: true, weight: 0.25) })
        assertClose(mean.map(\.weight), [0.25, 1.0 / 3, 1.0 / 3, 1.0 / 12], accuracy: 1e-12)
        XCTAssertEqual(mean.map(\.weight).reduce(0, +), 1, accuracy: 1e-12)
        // Krum choosing mixed row 0 only: clients 0, 1, 2 selected at 1/3, client 3 excluded.
        let krum = mixing.inputDecisions([ClientDecision(selected: true, weight: 1, score: 0.5)] +
                                         (1..<4).map { ClientDecision(selected: false, weight: 0, score: Double($0)) })
        XCTAssertEqual(krum.map(\.selected), [true, true, true, false])
        assertClose(krum.map(\.weight), [1.0 / 3, 1.0 / 3, 1.0 / 3, 0], accuracy: 1e-12)
        XCTAssertEqual(krum.map(\.score), [0.5, 1, 2, 3])
    }
}
