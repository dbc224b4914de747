@testable import FedSim
import XCTest

/// `fedsim bench evaluations`: one timed result per evaluation of the scenario, in its order,
/// with the model's size; a scenario without evaluations is refused with one line.
final class EvaluationBenchTests: XCTestCase {
    func testTimesEveryEvaluationOfTheScenario() throws {
        let s = try Tiny.scenario("""
            federation: {clients: 2, rounds: 1}
            evaluate: {model_inversion: {iterations: 3}, extraction: {queries: [5], steps: 2, source: uniform}}
            """)
        var results = [EvaluationBench.Result]()
        try EvaluationBench.run(s, repeats: 2) { results.append($0) }
        XCTAssertEqual(results.map(\.evaluation), s.evaluate.evaluations.map(\.kind))
        XCTAssertEqual(Set(results.map(\.evaluation)), ["model_inversion", "extraction"])
        for r in results {
            XCTAssertEqual(r.timesMs.count, 2)
            XCTAssertTrue(r.timesMs.allSatisfy { $0 >= 0 })
            XCTAssertLessThanOrEqual(r.bestMs, r.medianMs)
            XCTAssertEqual(r.parameters, 10)   // logistic on 4 features, 2 classes
            XCTAssertEqual(r.model, "logistic")
        }
    }

    func testRefusesAScenarioWithoutEvaluations() throws {
        let s = try Tiny.scenario("federation: {clients: 2, rounds: 1}")
        XCTAssertThrowsError(try EvaluationBench.run(s, repeats: 1) { _ in }) { error in
            XCTAssertEqual("\(error)", "scenario tiny has no evaluate: section with an evaluation to time")
        }
        XCTAssertThrowsError(try EvaluationBench.run(s, repeats: 0) { _ in })
    }
}
