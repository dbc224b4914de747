import FedAttacks
import FedCore
import FedTestSupport
import XCTest

/// Sign flip, scaling, free rider and Gaussian noise: attacks that run inside one client.
final class SimpleModelAttackTests: XCTestCase {
    private let own: [[Float]] = [[1, -2, 0.5], [0, 3, -4]]

    func testSignFlip() throws {
        var rng = SeededRNG(seed: 1)
        let table: [(Double, [Float])] = [(1, [-1, 2, -0.5, 0, -3, 4]), (2, [-2, 4, -1, 0, -6, 8])]
        for (scale, expected) in table {
            let out = try SignFlip(scale: scale).craft(input(own: own), rng: &rng)
            XCTAssertEqual(out, UpdateMatrix(rows: 2, columns: 3, values: expected))
        }
        XCTAssertFalse(try SignFlip().needsCollusion)
        XCTAssertEqual(try SignFlip().scale, 1)
        XCTAssertThrowsError(try SignFlip(scale: 0))
        XCTAssertThrowsError(try SignFlip(scale: .infinity))
    }

    func testScaling() throws {
        var rng = SeededRNG(seed: 1)
        let out = try Scaling().craft(input(own: own), rng: &rng)
        XCTAssertEqual(out, UpdateMatrix(rows: 2, columns: 3, values: [10, -20, 5, 0, 30, -40]))
        let half = try Scaling(factor: 0.5).craft(input(own: own), rng: &rng)
        XCTAssertEqual(half.values, [0.5, -1, 0.25, 0, 1.5, -2])
        XCTAssertFalse(try Scaling().needsCollusion)
        XCTAssertThrowsError(try Scaling(factor: -1))
    }

    func testFreeRider() throws {
        var rng = SeededRNG(seed: 1)
        let previous: [Float] = [0.1, 0.2, 0.3]
        let zeros = try FreeRider(mode: .zeros).craft(input(own: own, previous: previous), rng: &rng)
        XCTAssertEqual(zeros, UpdateMatrix(rows: 2, columns: 3))
        let stale = try FreeRider(mode: .stale).craft(input(own: own, previous: previous), rng: &rng)
        XCTAssertEqual(stale.values, previous + previous)
        let first = try FreeRider(mode: .stale).craft(input(own: own, previous: nil), rng: &rng)
        XCTAssertEqual(first, UpdateMatrix(rows: 2, columns: 3))
        XCTAssertThrowsError(try FreeRider().craft(input(own: own, previous: [1]), rng: &rng)) { error in
            guard case .shape = error as? AttackError else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(FreeRider().needsCollusion)
    }

    func testGaussianMomentsAndDeterminism() throws {
        let attack = try GaussianNoise(mean: 0.5, std: 2)
        let own = UpdateMatrix(rows: 4, columns: 25_000)
        let inp = AttackInput(own: own, benign: own, totalClients: 10, maliciousClients: 4, round: 1)
        var r1 = SeededRNG(seed: 11), r2 = SeededRNG(seed: 11), r3 = SeededRNG(seed: 12)
        let a = try attack.craft(inp, rng: &r1)
        XCTAssertEqual(a, try attack.craft(inp, rng: &r2))
        XCTAssertNotEqual(a, try attack.craft(inp, rng: &r3))
        XCTAssertEqual(a.rows, 4)
        XCTAssertEqual(a.columns, 25_000)
        let all = UpdateMatrix(rows: 100_000, columns: 1, values: a.values)
        XCTAssertEqual(Double(meanRow(all)[0]), 0.5, accuracy: 0.02)       // 4σ/√n ≈ 0.025; 3σ ≈ 0.019
        XCTAssertEqual(Double(coordinateStd(all, ddof: 1)[0]), 2, accuracy: 0.02)
        XCTAssertFalse(allRowsEqual(a), "attackers draw independently")
        XCTAssertFalse(attack.needsCollusion)
        let defaults = try GaussianNoise()
        XCTAssertEqual(defaults.mean, 0)
        XCTAssertEqual(defaults.std, 1)
        XCTAssertThrowsError(try GaussianNoise(std: -1))
        XCTAssertThrowsError(try GaussianNoise(mean: .nan))
    }
}
