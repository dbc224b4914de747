import FedAttacks
import FedCore
import FedTestSupport
import XCTest

/// Properties every model attack shares: one row per attacker, the right columns, identical
/// rows when colluding, a shape error for mismatched benign updates.
final class CommonShapeTests: XCTestCase {
    private func attacks() throws -> [any ModelAttack] {
        [try SignFlip(), try Scaling(), try GaussianNoise(), FreeRider(mode: .zeros), FreeRider(mode: .stale),
         try ALIE(), try ALIE(z: .fixed(1.5), direction: .minus, ddof: 0), try IPM(), try MinMax(), try MinSum(),
         try Mimic(), try Fang()]
    }

    func testRowsColumnsAndCollusion() throws {
        let own = gaussianMatrix(rows: 3, columns: 7, seed: 1)
        let benign = gaussianMatrix(rows: 6, columns: 7, seed: 2)
        let inp = AttackInput(own: own, benign: benign, totalClients: 20, maliciousClients: 4, round: 2,
                              previousGlobalChange: [Float](repeating: 0.1, count: 7))
        for attack in try attacks() {
            var rng = SeededRNG(seed: 3)
            let out = try attack.craft(inp, rng: &rng)
            XCTAssertEqual(out.rows, 3, attack.name)
            XCTAssertEqual(out.columns, 7, attack.name)
            XCTAssertTrue(out.values.allSatisfy { $0.isFinite }, attack.name)
            if attack.needsCollusion && attack.name != "fang" {
                XCTAssertTrue(allRowsEqual(out), "\(attack.name) sends one row")
            }
        }
    }

    func testColludingAttacksRejectMismatchedBenign() throws {
        let inp = AttackInput(own: gaussianMatrix(rows: 2, columns: 4, seed: 1), benign: gaussianMatrix(rows: 5, columns: 3, seed: 2),
                              totalClients: 10, maliciousClients: 2, round: 1)
        for attack in try attacks() where attack.needsCollusion {
            var rng = SeededRNG(seed: 3)
            XCTAssertThrowsError(try attack.craft(inp, rng: &rng), attack.name) { error in
                guard case .shape = error as? AttackError else { return XCTFail("\(attack.name): \(error)") }
            }
        }
    }

    func testNames() throws {
        XCTAssertEqual(try attacks().map(\.name), ["sign-flip", "scaling", "gaussian", "free-rider", "free-rider", "alie",
                                                   "alie", "ipm", "min-max", "min-sum", "mimic", "fang"])
    }
}
