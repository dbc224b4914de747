import FedEval
@testable import FedSim
import XCTest

/// The `inversion` evaluation through the scenario reader: the resolved scenario (which the
/// client processes read back) keeps its meaning, and a named method that cannot run is
/// refused at its key.
final class InversionScenarioTests: XCTestCase {
    /// A batch of 4 with the default methods: the resolved file writes `method: []` and reads
    /// back to the same values (with the three names written out it was refused: analytic
    /// needs batch 1).
    func testResolvedScenarioReadsBack() throws {
        let s = try Tiny.scenario("evaluate: {inversion: {batch: 4}}", name: "threats")
        let text = s.resolvedYAML()
        XCTAssertTrue(text.contains("method: []"), text)
        let again = try Scenario.parse(yaml: text, file: "scenario.yaml", baseDirectory: ".")
        XCTAssertEqual(again.evaluate, s.evaluate)
    }

    func testNamedMethodThatCannotRunIsRefused() {
        XCTAssertThrowsError(try Tiny.scenario("evaluate: {inversion: {batch: 2, method: [analytic]}}", name: "threats")) { error in
            XCTAssertTrue("\(error)".contains("evaluate.inversion.method: analytic recovers one input: it needs batch: 1; got batch: 2"),
                          "\(error)")
        }
    }
}
