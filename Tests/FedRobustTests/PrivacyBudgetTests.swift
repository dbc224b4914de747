import FedRobust
import XCTest

final class PrivacyBudgetTests: XCTestCase {
    /// Round by round, the ledger agrees with composing all rounds at once (q = 0.04, σ = 1.5).
    func testHistoryMatchesComposedSteps() throws {
        var budget = try PrivacyBudget(samplingRate: 0.04, noiseMultiplier: 1.5, delta: 1e-5)
        XCTAssertEqual(budget.spent.epsilon, 0)
        for _ in 0..<300 { budget.recordRound() }
        var all = RDPAccountant()
        all.step(samplingRate: 0.04, noiseMultiplier: 1.5, count: 300)
        XCTAssertEqual(budget.rounds, 300)
        XCTAssertEqual(budget.history.last ?? 0, all.epsilon(delta: 1e-5).epsilon, accuracy: 1e-10)
        XCTAssertEqual(budget.spent.order, all.epsilon(delta: 1e-5).order)
        XCTAssertEqual(budget.spent.conversion, .improved)
        for k in 1..<budget.history.count { XCTAssertGreaterThan(budget.history[k], budget.history[k - 1]) }
    }

    func testCheckpointAndValidation() throws {
        var budget = try PrivacyBudget(samplingRate: 0.01, noiseMultiplier: 1.0, delta: 1e-5, conversion: .classic)
        for _ in 0..<10 { budget.recordRound() }
        let restoredAccountant = try RDPAccountant(orders: budget.accountant.orders, rdp: budget.accountant.rdp)
        var restored = try PrivacyBudget(samplingRate: 0.01, noiseMultiplier: 1.0, delta: 1e-5, conversion: .classic,
                                         accountant: restoredAccountant, history: budget.history)
        XCTAssertEqual(restored, budget)
        XCTAssertEqual(restored.recordRound(), budget.recordRound())
        XCTAssertThrowsError(try PrivacyBudget(samplingRate: 1.5, noiseMultiplier: 1, delta: 1e-5))
        XCTAssertThrowsError(try PrivacyBudget(samplingRate: 0.1, noiseMultiplier: 1, delta: 0))
    }
}
