import FedResults
import Foundation

/// A comparison folder read back: compare.csv (one row per attack x defense x seed cell), the
/// rounds.csv of every cell that has one, and the resolved spec and base scenario as text.
///
/// Folder layout (written by `fedsim compare`):
///
///     compare.yaml, base.yaml, compare.csv
///     cells/<attack>--<defense>--seed<k>/   rounds.csv, clients.csv, summary.json, scenario.yaml
///
/// A cell folder may be missing (a cell that failed before it started); its row still counts.
public struct ComparisonResults: Sendable {
    /// How a cell ended.
    public typealias Status = CompareRow.Status

    /// One row of compare.csv.
    public typealias Cell = CompareRow

    /// The folder read (for titles and messages).
    public var directory: String
    /// compare.csv as it is, for the full table in the report.
    public var csv: CSVTable
    /// compare.csv row by row.
    public var cells: [Cell]
    /// Per-round figures by cell folder name (cells without a readable rounds.csv are absent).
    public var rounds: [String: RoundsFile]
    /// compare.yaml and base.yaml verbatim (nil when absent).
    public var spec: String?
    public var baseScenario: String?

    public init(directory: String, csv: CSVTable, cells: [Cell], rounds: [String: RoundsFile] = [:],
                spec: String? = nil, baseScenario: String? = nil) {
        self.directory = directory
        self.csv = csv
        self.cells = cells
        self.rounds = rounds
        self.spec = spec
        self.baseScenario = baseScenario
    }

    // MARK: - Loading

    /// Reads `<directory>/compare.csv`, the spec, the base scenario and each cell's rounds.csv.
    /// Missing or unreadable cell folders are tolerated; a malformed compare.csv is an error.
    public static func load(directory: String) throws -> ComparisonResults {
        let csv = try CSVTable.load(path: directory + "/compare.csv")
        let cells = try parseCells(csv)
        var rounds: [String: RoundsFile] = [:]
        for cell in cells {
            let path = "\(directory)/cells/\(cell.folderName)/rounds.csv"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            if let file = try? RoundsFile.load(path: path) { rounds[cell.folderName] = file }
        }
        return ComparisonResults(directory: directory, csv: csv, cells: cells, rounds: rounds,
                                 spec: readText(directory + "/compare.yaml"),
                                 baseScenario: readText(directory + "/base.yaml"))
    }

    /// The cells of compare.csv; attack, defense, seed and status are required.
    public static func parseCells(_ csv: CSVTable) throws -> [Cell] {
        try CompareRow.rows(csv)
    }

    // MARK: - Axes

    /// The rows of the tables in the order they first appear in compare.csv: the attacks, or
    /// with a sweep each attack with its axis values (`CompareRow.rowLabel`).
    public var attacks: [String] { ordered(cells.map(\.rowLabel)) }
    /// The attack labels alone (without axis values), in order.
    public var attackNames: [String] { ordered(cells.map(\.attack)) }
    /// The sweep's axis keys (compare.csv's columns between defense and seed), in order.
    public var axes: [String] {
        guard let d = csv.index(of: CompareRow.defenseColumn.name), let s = csv.index(of: CompareRow.seedColumn.name),
              d < s else { return [] }
        return Array(csv.header[(d + 1)..<s])
    }
    /// Defenses in the order they first appear in compare.csv.
    public var defenses: [String] { ordered(cells.map(\.defense)) }
    /// Seeds in the order they first appear in compare.csv.
    public var seeds: [String] { ordered(cells.map(\.seed)) }

    /// The cells (one per seed) of one table row (`attacks`) and defense.
    public func cells(attack: String, defense: String) -> [Cell] {
        cells.filter { $0.rowLabel == attack && $0.defense == defense }
    }

    /// The rounds of the completed seeds of one attack and defense.
    public func completedRounds(attack: String, defense: String) -> [RoundsFile] {
        cells(attack: attack, defense: defense).filter { $0.status.isFinished }.compactMap { rounds[$0.folderName] }
    }

    /// Cells that did not finish (failed, interrupted or pending), in file order.
    public var unfinished: [Cell] { cells.filter { !$0.status.isFinished } }
}

private func ordered(_ names: [String]) -> [String] {
    var seen = Set<String>()
    return names.filter { seen.insert($0).inserted }
}

/// The text of a file, or nil when it cannot be read.
func readText(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
}
