import FedCore
import XCTest
@testable import FedSim

/// "Did you mean ...?" on a table of typos: commands, scenario keys, registered names.
final class SuggestionTests: XCTestCase {
    private let commands = ["run", "coordinator", "client", "adversary", "compare", "report", "check", "list", "bench",
                            "keygen", "fuzz", "help"]

    func testTyposOfEachKind() {
        let federation = ["clients", "processes", "rounds", "fraction", "local_epochs", "batch_size", "learning_rate",
                          "momentum", "weight_decay", "server_learning_rate", "deadline", "quorum"]
        let aggregators = Registry.aggregators.map(\.name), attacks = Registry.attacks.map(\.name)
        let table: [(typed: String, among: [String], expected: String?, line: UInt)] = [
            ("rn", commands, "run", #line),               // a deletion
            ("krun", commands, "run", #line),             // an insertion
            ("rnu", commands, "run", #line),              // a swap of neighbours
            ("compre", commands, "compare", #line),
            ("cmopare", commands, "compare", #line),
            ("reprot", commands, "report", #line),
            ("lsit", commands, "list", #line),
            ("RUN", commands, "run", #line),              // case does not count
            ("coord", commands, "coordinator", #line),    // a prefix of one name only
            ("xyzzy", commands, nil, #line),              // nothing close
            ("r", commands, nil, #line),                  // too short to guess
            ("rouds", federation, "rounds", #line),
            ("clinets", federation, "clients", #line),
            ("learningrate", federation, "learning_rate", #line),
            ("batch-size", federation, "batch_size", #line),
            ("krumm", aggregators, "krum", #line),
            ("fedavgg", aggregators, "fedavg", #line),
            ("trimmed_mean", aggregators, "trimmed-mean", #line),
            ("labelflip", attacks, "label-flip", #line),
            ("alei", attacks, "alie", #line),
            ("minmax", attacks, "min-max", #line),
            ("banana", attacks, nil, #line),
        ]
        for row in table {
            XCTAssertEqual(Suggestion.closest(to: row.typed, among: row.among), row.expected, row.typed, line: row.line)
        }
    }

    func testAnExactNameIsNotAnsweredAndTheHintIsEmptyWhenNothingIsClose() {
        XCTAssertNil(Suggestion.closest(to: "run", among: commands))
        XCTAssertEqual(Suggestion.hint(for: "rouds", among: ["rounds"]), " did you mean rounds?")
        XCTAssertEqual(Suggestion.hint(for: "zzzzzz", among: ["rounds"]), "")
    }

    func testDistanceByHand() {
        let table: [(String, String, Int)] = [("", "abc", 3), ("abc", "", 3), ("kitten", "sitting", 3), ("ab", "ba", 1),
                                              ("ca", "abc", 3), ("rouds", "rounds", 1), ("same", "same", 0)]
        for (a, b, d) in table { XCTAssertEqual(Suggestion.distance(a, b), d, "\(a) -> \(b)") }
    }

    func testScenarioErrorsCarryTheSuggestion() {
        XCTAssertThrowsError(try Scenario.parse(yaml: "federation:\n  rouds: 3\n", file: "x.yaml", baseDirectory: "/data")) {
            XCTAssertTrue("\($0)".hasPrefix("x.yaml:2:3: federation.rouds: unknown key; did you mean rounds? allowed: clients,"), "\($0)")
        }
        XCTAssertThrowsError(try Scenario.parse(yaml: "attack: {kind: alei, malicious: 0.2}\n", file: "x.yaml", baseDirectory: "/data")) {
            XCTAssertTrue("\($0)".contains("attack.kind: unknown value \"alei\"; did you mean alie? allowed: "), "\($0)")
        }
        XCTAssertThrowsError(try Scenario.parse(yaml: "defense: {aggregator: krumm}\n", file: "x.yaml", baseDirectory: "/data")) {
            XCTAssertTrue("\($0)".contains("defense.aggregator: unknown value \"krumm\"; did you mean krum? allowed: "), "\($0)")
        }
        XCTAssertThrowsError(try Scenario.parse(yaml: "partition: {kind: iid}\ntransport: {kind: tcpp}\n", file: "x.yaml", baseDirectory: "/data")) {
            XCTAssertTrue("\($0)".contains("transport.kind: unknown value \"tcpp\"; did you mean tcp? allowed: "), "\($0)")
        }
    }
}
