import Foundation
import XCTest
@testable import FedResults
@testable import FedSim

/// Sweeps over any scenario key (`axes:` in a comparison file): the cells are the product of
/// the axes with attacks, defenses and seeds; each cell's scenario has its values; compare.csv
/// has one column per axis; bad axes are one line naming the file's line. And `--set` paths
/// that reach an entry of a list (`attack[1].z=5`).
final class CompareAxesTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "fedsim-compare-axes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func load(_ yaml: String, overrides: [String] = []) throws -> CompareSpec {
        let path = folder + "/c.yaml"
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return try CompareSpec.load(path: path, overrides: overrides)
    }

    private static let spec = """
        base: {federation: {clients: 10, rounds: 1}, partition: {kind: dirichlet, alpha: 0.5}}
        attacks: [none, {kind: sign-flip, scale: 4}]
        defenses: [fedavg, median]
        axes:
          attack.malicious: [0.1, 0.3]
          partition.alpha: [0.1, 1.0, 10]
        seeds: [1, 2]

        """

    func testAxesExpandIntoTheProduct() throws {
        // Prepare / Execute
        let spec = try load(Self.spec)
        let cells = CompareCell.all(spec, baseSeed: 1)

        // Assert: none x 2 defenses x 3 alphas x 2 seeds (attack.malicious does not apply to
        // none) + sign-flip x 2 defenses x 2 shares x 3 alphas x 2 seeds.
        XCTAssertEqual(spec.axes.map(\.key), ["attack.malicious", "partition.alpha"])
        XCTAssertEqual(spec.axes.map(\.values), [["0.1", "0.3"], ["0.1", "1.0", "10"]])
        XCTAssertEqual(cells.count, 12 + 24)
        XCTAssertEqual(Set(cells.map(\.id)).count, cells.count, "one folder per cell")
        XCTAssertEqual(cells[0].id, "none--fedavg--partition.alpha_0.1--seed1")
        XCTAssertEqual(cells[12].id, "sign-flip--fedavg--attack.malicious_0.1--partition.alpha_0.1--seed1")
        XCTAssertEqual(cells[13].id, "sign-flip--fedavg--attack.malicious_0.1--partition.alpha_0.1--seed2")
        XCTAssertEqual(cells[14].id, "sign-flip--fedavg--attack.malicious_0.1--partition.alpha_1.0--seed1")

        // Each cell's scenario carries its values.
        for cell in cells {
            let scenario = try cell.scenario(spec)
            let alpha = try XCTUnwrap(cell.axes.first { $0.key == "partition.alpha" }?.number)
            XCTAssertEqual(scenario.partition.alpha, alpha, cell.id)
            if cell.attack.label == "none" {
                XCTAssertTrue(scenario.attacks.isEmpty)
                XCTAssertNil(cell.axes.first { $0.key == "attack.malicious" })
            } else {
                let share = try XCTUnwrap(cell.axes.first { $0.key == "attack.malicious" }?.number)
                XCTAssertEqual(scenario.attacks.first?.malicious, .fraction(share), cell.id)
                XCTAssertEqual(scenario.attacks.first?.malicious.count(of: 10), share == 0.1 ? 1 : 3)
            }
            XCTAssertEqual(scenario.name, cell.id)
        }
    }

    func testCompareCSVHasOneColumnPerAxisAndReadsBack() throws {
        // Prepare
        let spec = try load(Self.spec)
        let cells = CompareCell.all(spec, baseSeed: 1)
        let schema = CompareRow.schema(axes: spec.axes.map(\.key), evaluations: [])
        var result = CellResult(cell: cells[12], status: .completed)
        result.finalAccuracy = 0.5

        // Execute
        let header = schema.header
        let fields = schema.fields(result.row.row)
        let noneFields = schema.fields(CellResult(cell: cells[0], status: .pending).row.row)
        let text = ([header, fields, noneFields].map { $0.map(CSVWriter.escape).joined(separator: ",") }).joined(separator: "\n")
        let rows = try CompareRow.rows(try CSVTable.parse(text, file: "compare.csv"))

        // Assert
        XCTAssertEqual(Array(header.prefix(5)), ["attack", "defense", "attack.malicious", "partition.alpha", "seed"])
        XCTAssertEqual(Array(fields.prefix(5)), ["sign-flip", "fedavg", "0.1", "0.1", "1"])
        XCTAssertEqual(Array(noneFields.prefix(5)), ["none", "fedavg", "", "0.1", "1"], "the axis that does not apply is empty")
        XCTAssertEqual(rows[0].axes, cells[12].axes)
        XCTAssertEqual(rows[0].folderName, cells[12].id, "the report finds the cell folder")
        XCTAssertEqual(rows[0].rowLabel, "sign-flip malicious=0.1 alpha=0.1")
        XCTAssertEqual(rows[1].axes, [CompareRow.AxisValue(key: "partition.alpha", value: "0.1")])
        XCTAssertEqual(rows[1].status, .pending)
        XCTAssertTrue(rows[0].evaluations.isEmpty, "axis columns are not evaluation figures")
    }

    func testBadAxesAreOneLineWithTheFilesLine() {
        let base = "base: {federation: {clients: 10, rounds: 1}}\nattacks: [sign-flip]\ndefenses: [fedavg]\n"
        let cases: [(String, String)] = [
            (base + "axes: {attack.malicious: 0.1}\n",
             "c.yaml:4:26: axes.attack.malicious: expected a non-empty list of values such as [0.1, 0.2, 0.3], got \"0.1\""),
            (base + "axes: {federation.rounds: [1, x]}\n",
             "c.yaml:4:31: axes.federation.rounds[1]: expected an integer in 1...1000000, got \"x\""),
            (base + "axes: {seed: [1, 2]}\n",
             "c.yaml:4:8: axes.seed: cannot be swept; allowed: any scenario key but seed (use seeds:), name and output"),
            (base + "axes: {attack.malicous: [0.1]}\n",
             "c.yaml:4:26: axes.attack.malicious[0]"),
        ]
        for (yaml, expected) in cases.prefix(3) {
            XCTAssertThrowsError(try load(yaml)) { error in
                let text = "\(error)".replacingOccurrences(of: folder + "/", with: "")
                XCTAssertEqual(text, expected)
            }
        }
        // A misspelt key under an axis is the reader's unknown-key error, placed in this file.
        XCTAssertThrowsError(try load(cases[3].0)) { error in
            let text = "\(error)".replacingOccurrences(of: folder + "/", with: "")
            XCTAssertTrue(text.hasPrefix("c.yaml:4:"), text)
            XCTAssertTrue(text.contains("axes.attack.malicous[0]: unknown key; did you mean malicious? allowed: kind, malicious"), text)
        }
    }

    /// `fedsim compare --set attack.scale=5` reaches every attack group and leaves `none` alone
    /// (it used to stop the comparison: `attack` is an empty list there).
    func testAttackSettingsSkipTheNoAttackCells() throws {
        let spec = try load(Self.spec, overrides: ["attack.scale=5", "attack[0].start_round=1"])
        let cells = CompareCell.all(spec, baseSeed: 1)
        for cell in cells {
            let scenario = try cell.scenario(spec)
            if cell.attack.label == "none" { XCTAssertTrue(scenario.attacks.isEmpty) } else {
                XCTAssertEqual(scenario.attacks.first?.parameters.double("scale"), 5, cell.id)
            }
        }
    }

    // MARK: - --set on list entries

    private static let twoGroups = """
        federation: {clients: 10, rounds: 1}
        attack:
          - {kind: sign-flip, malicious: 1}
          - {kind: alie, malicious: 2}

        """

    func testSetReachesAnEntryOfAList() throws {
        let s = try Scenario.parse(yaml: Self.twoGroups, file: "s.yaml", baseDirectory: folder,
                                   overrides: ["attack[1].malicious=3", "attack[0].scale=5"])
        XCTAssertEqual(s.attacks.map(\.malicious), [.count(1), .count(3)])
        XCTAssertEqual(s.attacks[0].parameters.double("scale"), 5)
        // A single attack mapping is a list of one.
        let one = try Scenario.parse(yaml: "federation: {clients: 10, rounds: 1}\nattack: {kind: sign-flip, malicious: 1}\n",
                                     file: "s.yaml", baseDirectory: folder, overrides: ["attack[0].scale=3"])
        XCTAssertEqual(one.attacks.first?.parameters.double("scale"), 3)
    }

    func testSetOnAListIsOneLineWhenWrong() {
        let cases: [(String, String)] = [
            ("attack[2].scale=5", "--set attack[2].scale=5: attack[2]: attack has 2 entries; allowed: attack[0] to attack[1]"),
            ("federation[1].rounds=5", "--set federation[1].rounds=5: federation[1]: federation is one mapping (a list of one); allowed: federation[0]"),
            ("attack[x].scale=5", "--set attack[x].scale=5: attack[x].scale: not a key path; allowed: names of letters, digits and _ joined by dots, a list entry as name[i], e.g. federation.rounds=3 or attack[1].z=5"),
            ("attack[1].scal=5", "--set attack[1].scal=5: attack[1].scal: unknown key; allowed: kind, malicious, start_round, end_round, knowledge"),
        ]
        for (override, expected) in cases {
            XCTAssertThrowsError(try Scenario.parse(yaml: Self.twoGroups, file: "s.yaml", baseDirectory: folder,
                                                    overrides: [override])) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(error)")
            }
        }
    }
}
