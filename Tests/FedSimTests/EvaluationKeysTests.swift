import FedCore
import FedTestSupport
@testable import FedSim
import XCTest

/// Keys of the extraction and model-inversion evaluations as the scenario reader reads them:
/// `classes: all` or a list (the `.allOrIntegers` type), and one-line errors with the place.
final class EvaluationKeysTests: XCTestCase {
    private func inversion(_ yaml: String) throws -> ParameterValues {
        let s = try Tiny.scenario("federation: {clients: 2, rounds: 1}\nevaluate: {model_inversion: \(yaml)}")
        return try XCTUnwrap(s.evaluate.evaluations.first { $0.kind == "model_inversion" }).values
    }

    func testClassesAllOrAList() throws {
        XCTAssertEqual(try inversion("{}")["classes"], .word("all"))
        XCTAssertEqual(try inversion("{classes: all}")["classes"], .word("all"))
        XCTAssertEqual(try inversion("{classes: [1, 0]}")["classes"], .ints([1, 0]))
    }

    func testBadValuesNameTheKey() {
        let cases: [(yaml: String, message: String)] = [
            ("{classes: every}", "evaluate.model_inversion.classes: expected all or a list of integers like [0, 3], got \"every\""),
            ("{classes: [-1]}", "evaluate.model_inversion.classes[0]"),
            ("{classes: [0, 5]}", "model_inversion.classes: class 5 is outside the model's classes 0..<2"),
        ]
        for c in cases {
            let message = thrownMessage { _ = try self.inversion(c.yaml); _ = try FederationData.prepare(
                Tiny.scenario("federation: {clients: 2, rounds: 1}\nevaluate: {model_inversion: \(c.yaml)}")) }
            XCTAssertTrue(message.contains(c.message), "\(c.yaml): \(message)")
            XCTAssertFalse(message.contains("\n"), message)
        }
        let refused = thrownMessage {
            _ = try FederationData.prepare(Tiny.scenario("federation: {clients: 2, rounds: 1}\nmodel: {kind: mlp, hidden: [4]}\n"
                                                         + "evaluate: {extraction: {equation_solving: true}}"))
        }
        XCTAssertTrue(refused.contains("extraction.equation_solving needs a multinomial logistic-regression model"), refused)
    }
}
