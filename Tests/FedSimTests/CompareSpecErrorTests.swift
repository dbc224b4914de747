import Foundation
import XCTest
@testable import FedSim

/// Bad comparison files, each with the exact one-line error `CompareSpec.load` must give before
/// any cell starts; a rule whose bounds do not hold at the size stays a per-cell failure.
final class CompareSpecErrorTests: XCTestCase {
    private struct Case {
        let yaml: String
        let error: String
        let line: UInt
    }

    private static let base = "base: {federation: {clients: 8, rounds: 1}}\n"
    private static let federationKeys = "clients, processes, rounds, fraction, local_epochs, batch_size, "
        + "learning_rate, momentum, weight_decay, server_learning_rate, deadline, quorum, startup_timeout, "
        + "heartbeat_timeout, mode, momentum_buffer, momentum_dampening"

    private var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "fedsim-compare-spec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Writes `yaml` as c.yaml and loads it.
    private func load(_ yaml: String) throws -> CompareSpec {
        let path = folder + "/c.yaml"
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return try CompareSpec.load(path: path)
    }

    private func check(_ cases: [Case]) {
        for item in cases {
            // Prepare / Execute
            do {
                let spec = try load(item.yaml)
                XCTFail("expected an error, got \(spec.attacks) x \(spec.defenses)", line: item.line)
            } catch let error as ScenarioError {
                // Assert: the file is named as given, so drop the temporary folder.
                let text = error.description.replacingOccurrences(of: folder + "/", with: "")
                XCTAssertEqual(text, item.error, line: item.line)
                XCTAssertFalse(text.contains("\n"), "one line", line: item.line)
                XCTAssertFalse(text.contains("--set"), "names the file, not an override", line: item.line)
                XCTAssertFalse(error.isPrecondition, line: item.line)
            } catch {
                XCTFail("not a ScenarioError: \(error)", line: item.line)
            }
        }
    }

    func testEntryErrorsNameTheCompareFileLine() {
        check([
            // A misspelt attack parameter.
            Case(yaml: Self.base + "attacks: [none, {kind: sign-flip, factor: 3}]\ndefenses: [fedavg]\n",
                 error: "c.yaml:2:35: attacks[1].factor: unknown key; allowed: kind, malicious, start_round, "
                     + "end_round, knowledge, scale",
                 line: #line),
            // The same in block style, in the second attack.
            Case(yaml: Self.base + "attacks:\n  - none\n  - kind: sign-flip\n    factr: 3\n",
                 error: "c.yaml:5:5: attacks[1].factr: unknown key; allowed: kind, malicious, start_round, "
                     + "end_round, knowledge, scale",
                 line: #line),
            // A bad value of an attack parameter.
            Case(yaml: Self.base + "attacks: [{kind: sign-flip, scale: abc}]\n",
                 error: "c.yaml:2:36: attacks[0].scale: expected a number > 0, got \"abc\"",
                 line: #line),
            // A bad value of an aggregator parameter (the entry does not write `aggregator:`).
            Case(yaml: Self.base + "attacks: [none]\ndefenses: [fedavg, {kind: krum, f: x}]\n",
                 error: "c.yaml:3:36: defenses[1].f: expected auto or a number, got \"x\"",
                 line: #line),
            // An unknown key in a full defense section.
            Case(yaml: Self.base + "defenses:\n  - {aggregator: median, dpp: {}}\n",
                 error: "c.yaml:3:26: defenses[0].dpp: unknown key; did you mean dp? allowed: aggregator, clip, nnm, bucketing, dp",
                 line: #line),
            // An unknown attack kind.
            Case(yaml: Self.base + "attacks: [none, sign-flp]\n",
                 error: "c.yaml:2:17: attacks[1]: unknown value \"sign-flp\"; did you mean sign-flip? allowed: none, "
                     + "\(Registry.attacks.map(\.name).joined(separator: ", "))",
                 line: #line),
        ])
    }

    func testOverrideErrorsNameTheCompareFileLine() {
        check([
            Case(yaml: Self.base + "overrides:\n  federation:\n    clinets: 6\n",
                 error: "c.yaml:4:5: overrides.federation.clinets: unknown key; did you mean clients? allowed: \(Self.federationKeys)",
                 line: #line),
            Case(yaml: Self.base + "overrides: {federation: {rounds: zz}}\n",
                 error: "c.yaml:2:34: overrides.federation.rounds: expected an integer in 1...1000000, got \"zz\"",
                 line: #line),
        ])
    }

    func testInlineBaseErrorsNameTheCompareFileLine() {
        check([
            Case(yaml: "name: m\nbase:\n  federation:\n    clinets: 4\n",
                 error: "c.yaml:4:5: base.federation.clinets: unknown key; did you mean clients? allowed: \(Self.federationKeys)",
                 line: #line),
        ])
    }

    func testEmptyListsAreOneLine() {
        check([
            Case(yaml: Self.base + "attacks: []\n",
                 error: "c.yaml:2:10: attacks: the list is empty; allowed: at least one attack (none for no attack)",
                 line: #line),
            Case(yaml: Self.base + "defenses: []\n",
                 error: "c.yaml:2:11: defenses: the list is empty; allowed: at least one defense "
                     + "(fedavg for plain averaging)",
                 line: #line),
        ])
    }

    /// A rule that cannot run at the federation's size is a legitimate cell of a matrix: the
    /// file loads, and that cell alone fails, named by its entry.
    func testRulePreconditionStaysACellFailure() throws {
        // Prepare
        let spec = try load(Self.base + "attacks: [none]\ndefenses: [fedavg, {kind: bulyan, f: 3}]\n")
        let cells = CompareCell.all(spec, baseSeed: 1)

        // Execute
        XCTAssertNoThrow(try cells[0].scenario(spec))
        XCTAssertThrowsError(try cells[1].scenario(spec)) { error in
            // Assert
            guard let error = error as? ScenarioError else { return XCTFail("not a ScenarioError: \(error)") }
            XCTAssertTrue(error.isPrecondition)
            XCTAssertEqual(error.description.replacingOccurrences(of: folder + "/", with: ""),
                           "c.yaml:3:20: defenses[1]: bulyan needs n >= 4f + 3; got n = 8, f = 3 "
                               + "(federation: 8 updates per round)")
        }
    }

    func testValidEntriesStillLoad() throws {
        // Execute
        let spec = try load(Self.base + "attacks: [none, sign-flip, {kind: sign-flip, scale: 4, name: strong}]\n"
                            + "defenses: [fedavg, {kind: krum, f: 1}, {aggregator: median, name: med}]\n"
                            + "seeds: [1, 2]\noverrides: {federation: {rounds: 2}}\n")

        // Assert
        XCTAssertEqual(spec.attacks.map(\.label), ["none", "sign-flip", "strong"])
        XCTAssertEqual(spec.defenses.map(\.label), ["fedavg", "krum", "med"])
        XCTAssertEqual(spec.overrides, ["federation.rounds=2"])
        let scenario = try CompareCell.all(spec, baseSeed: 1)[7].scenario(spec) // sign-flip x fedavg, seed 2
        XCTAssertEqual(scenario.federation.rounds, 2)
        XCTAssertEqual(scenario.attacks.map(\.kind), ["sign-flip"])
        XCTAssertEqual(scenario.seed, 2)
    }

    /// `fedsim compare --set`: applied to every cell after the file's own overrides; a bad key
    /// is one line naming the `--set`; a defence entry's `local_training` lands at the top level.
    func testCommandLineOverridesReachEveryCell() throws {
        let path = folder + "/c.yaml"
        try Data((Self.base + """
            attacks: [none]
            defenses: [fedavg, {name: fedavg-at, aggregator: fedavg, local_training: {adversarial: {epsilon: 0.05}}}]
            overrides: {federation: {rounds: 3}}
            """).utf8).write(to: URL(fileURLWithPath: path))
        let spec = try CompareSpec.load(path: path, overrides: ["federation.rounds=2"])
        let cells = CompareCell.all(spec, baseSeed: 1)
        XCTAssertEqual(try cells.map { try $0.scenario(spec).federation.rounds }, [2, 2])
        XCTAssertEqual(try spec.baseScenario().federation.rounds, 2)
        XCTAssertNil(try cells[0].scenario(spec).localTraining.adversarial)
        XCTAssertEqual(try cells[1].scenario(spec).localTraining.adversarial?.epsilon, 0.05)
        XCTAssertThrowsError(try CompareSpec.load(path: path, overrides: ["federation.rouns=2"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("--set federation.rouns=2: federation.rouns: unknown key"), "\(error)")
        }
    }

    /// `processes:` packs each cell's clients into one client process by default, keeps the
    /// scenario's processes for wire attacks and with `scenario`, and takes a number.
    func testCellProcesses() throws {
        let base = "base: {federation: {clients: 8, processes: 4, rounds: 1}}\nattacks: [none, replay]\ndefenses: [fedavg]\n"
        func processes(_ extra: String) throws -> [Int] {
            let spec = try load(base + extra)
            return try CompareCell.all(spec, baseSeed: 1).map { try $0.scenario(spec).federation.processes }
        }
        XCTAssertEqual(try processes(""), [1, 4])                      // pack: replay keeps its 4
        XCTAssertEqual(try processes("processes: pack\n"), [1, 4])
        XCTAssertEqual(try processes("processes: scenario\n"), [4, 4])
        XCTAssertEqual(try processes("processes: 2\n"), [2, 2])
        XCTAssertEqual(try processes("processes: 50\n"), [8, 8])      // at most one per client
        check([Case(yaml: base + "processes: many\n",
                    error: "c.yaml:4:12: processes: expected pack, scenario or a number of client processes in 1...100000; got many",
                    line: #line),
               Case(yaml: base + "processes: 0\n",
                    error: "c.yaml:4:12: processes: expected pack, scenario or a number of client processes in 1...100000; got 0",
                    line: #line)])
    }

    /// `isolation:` runs cells in this process by default except those of wire attacks, takes
    /// `thread` and `process`, suggests the closest word for a typo, and sets the default
    /// `parallel:` (twice the cores in this process, half of them for processes).
    func testCellIsolation() throws {
        let base = "base: {federation: {clients: 8, processes: 4, rounds: 1}}\nattacks: [none, replay]\ndefenses: [fedavg]\n"
        func inProcess(_ extra: String) throws -> [Bool] {
            let spec = try load(base + extra)
            return try CompareCell.all(spec, baseSeed: 1).map { spec.isolation.runsInProcess(try $0.scenario(spec)) }
        }
        XCTAssertEqual(try load(base).isolation, .auto)
        XCTAssertEqual(try inProcess(""), [true, false])               // auto: replay works on the wire
        XCTAssertEqual(try inProcess("isolation: auto\n"), [true, false])
        XCTAssertEqual(try inProcess("isolation: thread\n"), [true, true])
        XCTAssertEqual(try inProcess("isolation: process\n"), [false, false])
        XCTAssertEqual(CompareSpec.defaultParallel(.auto, cores: 2), 4)
        XCTAssertEqual(CompareSpec.defaultParallel(.thread, cores: 1), 2)
        XCTAssertEqual(CompareSpec.defaultParallel(.process, cores: 2), 1)
        XCTAssertEqual(CompareSpec.defaultParallel(.process, cores: 8), 4)
        XCTAssertEqual(CompareSpec.defaultParallel(.thread, cores: 64), 64)
        XCTAssertEqual(try load(base + "isolation: process\n").parallel,
                       max(1, ProcessInfo.processInfo.activeProcessorCount / 2))
        XCTAssertEqual(try load(base + "isolation: process\nparallel: 3\n").parallel, 3)
        check([Case(yaml: base + "isolation: threads\n",
                    error: "c.yaml:4:12: isolation: unknown value \"threads\"; did you mean thread? allowed: auto, thread, process",
                    line: #line)])
    }
}
