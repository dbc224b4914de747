import FedResults
import Foundation

/// One cell of a comparison: an attack, a defense and a seed, run as a full run (in this
/// process or as `fedsim run`: `CellIsolation`).
public struct CompareCell: Sendable {
    public var attack: CompareSpec.Entry
    public var defense: CompareSpec.Entry
    public var seed: UInt64
    /// The cell's value of each axis that applies to it (`axes:`), in the spec's order, and
    /// the grafts that set them.
    public var axes: [CompareRow.AxisValue] = []
    var axisGrafts: [ScenarioGraft] = []
    /// Folder name under cells/: `<attack>--<defense>[--<key>_<value>...]--seed<k>`.
    public var id: String {
        ([attack.label, defense.label] + axes.map(\.segment) + ["seed\(seed)"]).joined(separator: "--")
    }

    /// The cell's scenario: the base with the spec's overrides, the seed, the attack and the
    /// defense. A scenario error (such as a rule whose bounds do not hold) fails only this cell.
    func scenario(_ spec: CompareSpec) throws -> Scenario {
        // The entries and overrides are set as this file's own YAML nodes, so that an error in
        // one names the comparison file's line and key (`attacks[0].factor`), not a `--set`.
        // Settings of the attack group (`--set attack.scale=5`, `attack[0].z`) do not apply to
        // the attack `none`, which has no group: its cells run without them.
        let none = CompareSpec.Axis.isNoAttack(attack)
        let grafts = spec.overrideGrafts.filter { !(none && $0.path.first == AttackGroupConfig.key) }
        let overrides = spec.commandLineOverrides.filter { !(none && CompareSpec.setsAttackGroup($0)) }
        var scenario = try spec.scenario(grafts: grafts + attack.grafts + defense.grafts + axisGrafts,
                                         overrides: overrides + ["seed=\(seed)", "name=\(id)"])
        scenario.federation.processes = spec.processes.clientProcesses(for: scenario)
        return scenario
    }

    /// Every cell of the matrix, attacks outermost, then defenses, then the axes' values (the
    /// first axis outermost), then seeds; `baseSeed` when the spec lists no seeds. An axis
    /// that does not apply to an attack (`attack.*` for `none`) does not multiply its cells.
    static func all(_ spec: CompareSpec, baseSeed: UInt64) -> [CompareCell] {
        let seeds = spec.seeds.isEmpty ? [baseSeed] : spec.seeds
        var cells: [CompareCell] = []
        for a in spec.attacks {
            let axes = spec.axes.filter { $0.applies(to: a) }
            // The product of the axes' values, as (value, graft) per axis.
            var points: [[(CompareRow.AxisValue, ScenarioGraft)]] = [[]]
            for axis in axes {
                points = points.flatMap { p in
                    zip(axis.values, axis.grafts).map { p + [(CompareRow.AxisValue(key: axis.key, value: $0), $1)] }
                }
            }
            for d in spec.defenses {
                for p in points {
                    for s in seeds {
                        var cell = CompareCell(attack: a, defense: d, seed: s)
                        cell.axes = p.map(\.0)
                        cell.axisGrafts = p.map(\.1)
                        cells.append(cell)
                    }
                }
            }
        }
        return cells
    }
}

/// What a cell gave: the cell, and its row of compare.csv (`CompareRow`, the same type the
/// reports read back). The row's fields read through (`result.finalAccuracy`).
@dynamicMemberLookup
public struct CellResult: Sendable {
    public var cell: CompareCell
    public var row: CompareRow

    public subscript<T>(dynamicMember path: WritableKeyPath<CompareRow, T>) -> T {
        get { row[keyPath: path] }
        set { row[keyPath: path] = newValue }
    }

    /// Reads a finished cell's results folder; nil when it holds no complete run of `fingerprint`.
    /// summary.json is decoded as the `RunSummary` the run wrote.
    static func read(_ cell: CompareCell, folder: String, fingerprint: UInt64) -> CellResult? {
        guard let data = FileManager.default.contents(atPath: folder + "/summary.json"),
              let s = try? RunSummary.decoder().decode(RunSummary.self, from: data),
              s.fingerprint == String(fingerprint, radix: 16) else { return nil }
        var r = CellResult(cell: cell, status: CompareRow.Status(rawValue: s.status) ?? .failed)
        r.finalAccuracy = s.finalTestAccuracy
        r.attackSuccessRate = s.finalAttackSuccessRate
        r.detectionTPR = s.meanDetectionTPR
        r.detectionFPR = s.meanDetectionFPR
        r.detectionPrecision = s.meanDetectionPrecision
        r.cleanRoundFPR = s.cleanRoundFPR
        r.epsilon = s.privacy?.epsilon
        r.wallSeconds = s.wallSeconds
        r.error = s.error
        r.row.evaluations = s.evaluations ?? [:]
        if let rounds = try? CSVTable.load(path: folder + "/rounds.csv"),
           let col = rounds.index(of: RoundsColumns.testAccuracy.name) {
            let acc = rounds.rows.suffix(5).compactMap { CSVTable.double($0[col]) }
            if !acc.isEmpty { r.meanLast5Accuracy = acc.reduce(0, +) / Double(acc.count) }
        }
        return r
    }

    init(cell: CompareCell, status: CompareRow.Status, error: String? = nil) {
        self.cell = cell
        row = CompareRow(attack: cell.attack.label, defense: cell.defense.label, seed: String(cell.seed), status: status,
                         error: error)
        row.axes = cell.axes
    }
}
