import Foundation

/// The comparison at a glance, for a terminal or a CI log: final test accuracy per attack
/// (rows) and defense (columns), and the defenses ranked by their worst case.
///
/// A cell shows the mean ± standard deviation (ddof 1) of the final accuracy over the seeds
/// that completed; the mean alone with one seed; "failed" when every seed failed. The best
/// defense of each attack (highest mean; ties all marked) carries a trailing `*`.
///
/// Worst case first: a defense's worst case is its lowest cell mean over the attacks. Defenses
/// are ranked by it, best first; a defense with a cell that has no completed seed (failed or
/// interrupted) ranks after every defense without one, as its worst case is unknown. Ties
/// break on the mean over attacks, then on the order of the defenses in compare.csv.
public struct ComparisonTable: Sendable {
    /// One attack x defense cell over its seeds.
    public struct Cell: Sendable, Equatable {
        public var mean: Double?
        /// Sample standard deviation (ddof 1); nil with fewer than two completed seeds.
        public var std: Double?
        public var completed = 0
        public var failed = 0
        public var interrupted = 0

        /// "0.912 ± 0.004", "0.912", "failed", "interrupted" or "-" (no row at all); with
        /// "(1 failed)" when only some seeds failed.
        public var text: String {
            guard let mean else {
                switch (completed, failed, interrupted) {
                case (0, 0, 0): return "-"
                case (0, _, 0): return "failed"
                case (0, 0, _): return "interrupted"
                case (0, _, _): return "not completed"
                default: return "n/a"
                }
            }
            var s = fmt3(mean)
            if let std { s += " ± " + fmt3(std) }
            if failed > 0 { s += " (\(failed) failed)" }
            if interrupted > 0 { s += " (\(interrupted) interrupted)" }
            return s
        }
    }

    /// One defense's worst case.
    public struct WorstCase: Sendable, Equatable {
        public var defense: String
        /// The attack where the defense keeps the least accuracy (nil when no cell has a mean).
        public var attack: String?
        public var accuracy: Double?
        /// Attacks where no seed of this defense completed.
        public var unfinishedAttacks: [String]
        /// Mean of the cell means over attacks (the tie-break).
        public var meanAccuracy: Double?
    }

    public let attacks: [String]
    public let defenses: [String]
    /// cells[a][d]: attack a, defense d.
    public let cells: [[Cell]]
    /// The best defenses per attack (indexes into `defenses`).
    public let best: [Set<Int>]
    /// Defenses ranked by worst-case accuracy, best first.
    public let ranking: [WorstCase]
    /// The number of seeds in the comparison.
    public let seedCount: Int

    public init(_ results: ComparisonResults) {
        attacks = results.attacks
        defenses = results.defenses
        seedCount = results.seeds.count
        var cells: [[Cell]] = []
        for a in attacks {
            cells.append(defenses.map { d in ComparisonTable.cell(results.cells(attack: a, defense: d)) })
        }
        self.cells = cells
        best = cells.map { row in
            let top = row.compactMap(\.mean).max()
            return Set(row.indices.filter { top != nil && row[$0].mean == top })
        }
        ranking = ComparisonTable.rank(attacks: attacks, defenses: defenses, cells: cells)
    }

    /// The cell of one attack and defense, or nil when either is not in the comparison.
    public func cell(attack: String, defense: String) -> Cell? {
        guard let a = attacks.firstIndex(of: attack), let d = defenses.firstIndex(of: defense) else { return nil }
        return cells[a][d]
    }

    // MARK: - Maths

    /// Mean and sample standard deviation of the completed seeds' final accuracy.
    static func cell(_ seeds: [ComparisonResults.Cell]) -> Cell {
        var c = Cell()
        var values: [Double] = []
        for s in seeds {
            switch s.status {
            case .completed, .diverged:   // a diverged cell's accuracy is the collapse it shows
                c.completed += 1
                if let x = s.finalAccuracy { values.append(x) }
            case .failed: c.failed += 1
            case .interrupted, .pending: c.interrupted += 1  // pending: the comparison stopped before it
            }
        }
        (c.mean, c.std) = meanStd(values)
        return c
    }

    /// The mean, and the standard deviation with ddof 1 (nil below two values).
    public static func meanStd(_ xs: [Double]) -> (mean: Double?, std: Double?) {
        guard !xs.isEmpty else { return (nil, nil) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        guard xs.count > 1 else { return (mean, nil) }
        let ss = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, (ss / Double(xs.count - 1)).squareRoot())
    }

    static func rank(attacks: [String], defenses: [String], cells: [[Cell]]) -> [WorstCase] {
        let cases = defenses.indices.map { d -> WorstCase in
            var worst: (attack: String, accuracy: Double)?
            var unfinished: [String] = []
            var means: [Double] = []
            for (a, attack) in attacks.enumerated() {
                guard let m = cells[a][d].mean else {
                    if cells[a][d].completed + cells[a][d].failed + cells[a][d].interrupted > 0 { unfinished.append(attack) }
                    continue
                }
                means.append(m)
                if worst == nil || m < (worst?.accuracy ?? m) { worst = (attack, m) }
            }
            return WorstCase(defense: defenses[d], attack: worst?.attack, accuracy: worst?.accuracy,
                             unfinishedAttacks: unfinished, meanAccuracy: meanStd(means).mean)
        }
        let order = Dictionary(uniqueKeysWithValues: defenses.enumerated().map { ($1, $0) })
        return cases.sorted { x, y in
            if x.unfinishedAttacks.isEmpty != y.unfinishedAttacks.isEmpty { return x.unfinishedAttacks.isEmpty }
            let wx = x.accuracy ?? -1, wy = y.accuracy ?? -1
            if wx != wy { return wx > wy }
            let mx = x.meanAccuracy ?? -1, my = y.meanAccuracy ?? -1
            if mx != my { return mx > my }
            return (order[x.defense] ?? 0) < (order[y.defense] ?? 0)
        }
    }
}

/// Accuracy as printed in tables: three decimals.
func fmt3(_ x: Double) -> String { String(format: "%.3f", x) }
