import Foundation

/// The comparison at a glance, for a terminal or a CI log: per attack (rows) and defense
/// (columns) the final test accuracy, the attack success rate where the attack has one, the
/// detection rates where the rule keeps updates out, and the defenses ranked by their worst case.
///
/// **The score (the verdict of a cell).** Per seed, `score = min(accuracy, 1 - ASR)` when the
/// attack has a success rate (backdoors, targeted label flipping, ...), and `score = accuracy`
/// otherwise; a cell's score is the mean over its completed seeds. A defence that keeps its
/// accuracy but lets a backdoor through (accuracy 0.97, ASR 0.97) scores 0.03, not 0.97: both
/// halves of its job count, and the worse one decides.
///
/// A cell shows the mean ± standard deviation (ddof 1) of the final accuracy over the seeds
/// that completed (and of the ASR beside it); the mean alone with one seed; "failed" when every
/// seed failed. The best defense of each attack (highest mean score; ties all marked) carries a
/// trailing `*`.
///
/// Worst case first: a defense's worst case is its lowest cell score over the attacks. Defenses
/// are ranked by it, best first; a defense with a cell that has no completed seed (failed or
/// interrupted) ranks after every defense without one, as its worst case is unknown. Ties
/// break on the mean score over attacks, then on the order of the defenses in compare.csv.
public struct ComparisonTable: Sendable {
    /// One attack x defense cell over its seeds.
    public struct Cell: Sendable, Equatable {
        /// Final test accuracy: mean and sample standard deviation (ddof 1; nil with fewer
        /// than two completed seeds).
        public var mean: Double?
        public var std: Double?
        /// Final attack success rate over the completed seeds that have one.
        public var asr: Double?
        public var asrStd: Double?
        /// The score (`min(accuracy, 1 - ASR)` per seed, or the accuracy), mean and std.
        public var score: Double?
        public var scoreStd: Double?
        /// Mean detection true- and false-positive rates over the completed seeds.
        public var tpr: Double?
        public var fpr: Double?
        public var completed = 0
        public var failed = 0
        public var interrupted = 0
        /// Seeds not run yet (the comparison stopped before them).
        public var pending = 0

        /// "0.912 ± 0.004", "0.912", "failed", "interrupted", "pending" or "-" (no row at all);
        /// with "(1 failed)" when only some seeds failed.
        public var text: String {
            guard let mean else {
                let stopped = interrupted + pending
                switch (completed, failed, stopped) {
                case (0, 0, 0): return "-"
                case (0, _, 0): return "failed"
                case (0, 0, _): return interrupted == 0 ? "pending" : "interrupted"
                case (0, _, _): return "not completed"
                default: return "n/a"
                }
            }
            var s = fmt3(mean)
            if let std { s += " ± " + fmt3(std) }
            if failed > 0 { s += " (\(failed) failed)" }
            if interrupted > 0 { s += " (\(interrupted) interrupted)" }
            if pending > 0 { s += " (\(pending) pending)" }
            return s
        }

        /// "0.970 ± 0.040", "0.970", or nil when no completed seed has an attack success rate.
        public var asrText: String? {
            asr.map { fmt3($0) + (asrStd.map { " ± " + fmt3($0) } ?? "") }
        }

        /// "0.95/0.10" (TPR/FPR), or nil when no completed seed measured detection.
        public var detectionText: String? {
            guard tpr != nil || fpr != nil else { return nil }
            return (tpr.map(fmt2) ?? "-") + "/" + (fpr.map(fmt2) ?? "-")
        }
    }

    /// One defense's worst case.
    public struct WorstCase: Sendable, Equatable {
        public var defense: String
        /// The attack where the defense scores lowest (nil when no cell has a score).
        public var attack: String?
        /// The score there, and the accuracy and attack success rate behind it.
        public var score: Double?
        public var accuracy: Double?
        public var asr: Double?
        /// Attacks where no seed of this defense completed.
        public var unfinishedAttacks: [String]
        /// Some of those cells were interrupted or not run yet (rather than failed).
        public var stopped = false
        /// Mean of the cell scores over attacks (the tie-break).
        public var meanScore: Double?
    }

    public let attacks: [String]
    public let defenses: [String]
    /// cells[a][d]: attack a, defense d.
    public let cells: [[Cell]]
    /// The best defenses per attack by score (indexes into `defenses`).
    public let best: [Set<Int>]
    /// Defenses ranked by worst-case score, best first.
    public let ranking: [WorstCase]
    /// The number of seeds in the comparison.
    public let seedCount: Int
    /// Per defense: whether it kept any update out in any completed cell of the comparison
    /// (a detection rate or a false-positive rate above 0). Rules that never did (plain
    /// averaging, coordinate-wise rules that mix every update) make no per-client decision
    /// worth a rate: their detection cells are "n/a".
    public let detects: [Bool]

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
            let top = row.compactMap(\.score).max()
            return Set(row.indices.filter { top != nil && row[$0].score == top })
        }
        detects = defenses.map { d in
            results.cells.contains { c in
                c.defense == d && c.status.isFinished
                    && ((c.detectionTPR ?? 0) > 0 || (c.detectionFPR ?? 0) > 0 || (c.cleanRoundFPR ?? 0) > 0)
            }
        }
        ranking = ComparisonTable.rank(attacks: attacks, defenses: defenses, cells: cells)
    }

    /// The cell of one attack and defense, or nil when either is not in the comparison.
    public func cell(attack: String, defense: String) -> Cell? {
        guard let a = attacks.firstIndex(of: attack), let d = defenses.firstIndex(of: defense) else { return nil }
        return cells[a][d]
    }

    /// Whether any cell of the comparison has an attack success rate.
    public var hasASR: Bool { cells.contains { $0.contains { $0.asr != nil } } }

    // MARK: - Maths

    /// The score of one seed: `min(accuracy, 1 - asr)` when the attack has a success rate,
    /// the accuracy otherwise; nil without an accuracy.
    public static func score(accuracy: Double?, asr: Double?) -> Double? {
        guard let accuracy else { return nil }
        guard let asr else { return accuracy }
        return min(accuracy, 1 - asr)
    }

    /// Means and sample standard deviations of the completed seeds' figures.
    static func cell(_ seeds: [ComparisonResults.Cell]) -> Cell {
        var c = Cell()
        var acc: [Double] = [], asr: [Double] = [], scores: [Double] = [], tpr: [Double] = [], fpr: [Double] = []
        for s in seeds {
            switch s.status {
            case .completed, .diverged:   // a diverged cell's accuracy is the collapse it shows
                c.completed += 1
                if let x = s.finalAccuracy { acc.append(x) }
                if let x = s.attackSuccessRate { asr.append(x) }
                if let x = score(accuracy: s.finalAccuracy, asr: s.attackSuccessRate) { scores.append(x) }
                if let x = s.detectionTPR { tpr.append(x) }
                if let x = s.detectionFPR { fpr.append(x) }
            case .failed: c.failed += 1
            case .interrupted: c.interrupted += 1
            case .pending: c.pending += 1  // the comparison stopped before it
            }
        }
        (c.mean, c.std) = meanStd(acc)
        (c.asr, c.asrStd) = meanStd(asr)
        (c.score, c.scoreStd) = meanStd(scores)
        c.tpr = meanStd(tpr).mean
        c.fpr = meanStd(fpr).mean
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
            var worst: (attack: String, cell: Cell, score: Double)?
            var unfinished: [String] = []
            var scores: [Double] = []
            var stopped = false
            for (a, attack) in attacks.enumerated() {
                let cell = cells[a][d]
                guard let m = cell.score else {
                    if cell.completed + cell.failed + cell.interrupted + cell.pending > 0 { unfinished.append(attack) }
                    if cell.interrupted + cell.pending > 0 { stopped = true }
                    continue
                }
                scores.append(m)
                if worst == nil || m < (worst?.score ?? m) { worst = (attack, cell, m) }
            }
            return WorstCase(defense: defenses[d], attack: worst?.attack, score: worst?.score,
                             accuracy: worst?.cell.mean, asr: worst?.cell.asr,
                             unfinishedAttacks: unfinished, stopped: stopped, meanScore: meanStd(scores).mean)
        }
        let order = Dictionary(uniqueKeysWithValues: defenses.enumerated().map { ($1, $0) })
        return cases.sorted { x, y in
            if x.unfinishedAttacks.isEmpty != y.unfinishedAttacks.isEmpty { return x.unfinishedAttacks.isEmpty }
            let wx = x.score ?? -1, wy = y.score ?? -1
            if wx != wy { return wx > wy }
            let mx = x.meanScore ?? -1, my = y.meanScore ?? -1
            if mx != my { return mx > my }
            return (order[x.defense] ?? 0) < (order[y.defense] ?? 0)
        }
    }
}

/// Accuracy as printed in tables: three decimals.
func fmt3(_ x: Double) -> String { String(format: "%.3f", x) }
/// Rates in the compact detection column: two decimals.
func fmt2(_ x: Double) -> String { String(format: "%.2f", x) }
