import Foundation

/// One row of compare.csv: a cell of a comparison (attack x defense x seed) and what it gave.
/// The comparison runner writes it and the reports read it back, through the same columns.
public struct CompareRow: Sendable, Equatable {
    /// How a cell ended; `pending` while a comparison that stopped has not run it yet;
    /// `diverged` when an attack blew the model up (a result: its accuracy is the collapse).
    public enum Status: String, Sendable, CaseIterable {
        case completed, diverged, failed, interrupted, pending

        /// The cell ran to its end (all rounds, or until the model diverged): a result.
        public var isFinished: Bool { self == .completed || self == .diverged }
    }

    public var attack: String
    public var defense: String
    /// The seed as written (also the `seed<k>` of the cell folder).
    public var seed: String
    public var status: Status
    public var finalAccuracy: Double?
    public var meanLast5Accuracy: Double?
    public var attackSuccessRate: Double?
    public var detectionTPR: Double?
    public var detectionFPR: Double?
    public var epsilon: Double?
    public var detectionPrecision: Double?
    public var cleanRoundFPR: Double?
    public var wallSeconds: Double?
    /// The one-line reason of a cell that did not complete.
    public var error: String?
    /// The threat evaluations' figures of the cell's last evaluation (summary.json's
    /// `evaluations`), each a column of its own after the fixed ones.
    public var evaluations: [String: Double] = [:]

    public init(attack: String, defense: String, seed: String, status: Status, finalAccuracy: Double? = nil,
                attackSuccessRate: Double? = nil, error: String? = nil) {
        self.attack = attack
        self.defense = defense
        self.seed = seed
        self.status = status
        self.finalAccuracy = finalAccuracy
        self.attackSuccessRate = attackSuccessRate
        self.error = error
    }

    /// The cell's folder name under cells/.
    public var folderName: String { "\(attack)--\(defense)--seed\(seed)" }

    // MARK: - Columns

    public static let attackColumn = Column("attack", .text, doc: "the attack's label in the spec (none: no attack)")
    public static let defenseColumn = Column("defense", .text, doc: "the defense's label in the spec")
    public static let seedColumn = Column("seed", .integer, doc: "the scenario seed of the cell")
    public static let statusColumn = Column("status", .text, doc: "completed, diverged (the model blew up: a result), failed, interrupted, or pending (not run yet)")
    public static let finalAccuracyColumn = Column("final_accuracy", .number, unit: "fraction", doc: "test accuracy after the last round")
    public static let meanLast5Column = Column("mean_last5_accuracy", .number, unit: "fraction", doc: "mean test accuracy of the last 5 rounds")
    public static let attackSuccessColumn = Column("attack_success_rate", .number, unit: "fraction", doc: "the attack's success metric after the last round")
    public static let detectionTPRColumn = Column("detection_tpr", .number, unit: "fraction", doc: "mean over rounds of the share of malicious updates kept out")
    public static let detectionFPRColumn = Column("detection_fpr", .number, unit: "fraction", doc: "mean over rounds of the share of honest updates kept out")
    public static let detectionPrecisionColumn = Column("detection_precision", .number, unit: "fraction", doc: "mean over rounds of the share of the updates kept out that were malicious")
    public static let cleanRoundFPRColumn = Column("clean_round_fpr", .number, unit: "fraction", doc: "mean share of honest updates kept out in the rounds no malicious update arrived in")
    public static let epsilonColumn = Column("epsilon", .number, unit: "ε at delta", doc: "privacy spent over the run, when the accountant's guarantee holds")
    public static let wallSecondsColumn = Column("wall_seconds", .number, unit: "s", doc: "wall time of the cell's run")
    public static let errorColumn = Column("error", .text, doc: "why the cell did not complete")

    public static let schema = TableSchema([attackColumn, defenseColumn, seedColumn, statusColumn, finalAccuracyColumn,
                                            meanLast5Column, attackSuccessColumn, detectionTPRColumn, detectionFPRColumn,
                                            detectionPrecisionColumn, cleanRoundFPRColumn,
                                            epsilonColumn, wallSecondsColumn, errorColumn])

    /// compare.csv's columns when the cells report the evaluation figures `figures` (in order).
    public static func schema(evaluations figures: [String]) -> TableSchema {
        TableSchema(schema.columns + figures.map { Column.figure($0, doc: "") })
    }

    /// The row's fields, by column.
    public var row: ResultRow {
        var r = ResultRow()
        r.set(Self.attackColumn, attack)
        r.set(Self.defenseColumn, defense)
        r.set(Self.seedColumn, seed)
        r.set(Self.statusColumn, status.rawValue)
        r.set(Self.finalAccuracyColumn, finalAccuracy)
        r.set(Self.meanLast5Column, meanLast5Accuracy)
        r.set(Self.attackSuccessColumn, attackSuccessRate)
        r.set(Self.detectionTPRColumn, detectionTPR)
        r.set(Self.detectionFPRColumn, detectionFPR)
        r.set(Self.detectionPrecisionColumn, detectionPrecision)
        r.set(Self.cleanRoundFPRColumn, cleanRoundFPR)
        r.set(Self.epsilonColumn, epsilon)
        r.set(Self.wallSecondsColumn, wallSeconds)
        r.set(Self.errorColumn, error)
        for (name, value) in evaluations { r.set(Column.figure(name, doc: ""), value) }
        return r
    }

    /// The rows of a parsed compare.csv; attack, defense, seed and status are required, and a
    /// bad status is an error naming the file and line.
    public static func rows(_ csv: CSVTable) throws -> [CompareRow] {
        let attack = try csv.require(attackColumn.name), defense = try csv.require(defenseColumn.name)
        let seed = try csv.require(seedColumn.name), status = try csv.require(statusColumn.name)
        func col(_ c: Column) -> Int? { csv.index(of: c.name) }
        let acc = col(finalAccuracyColumn), last5 = col(meanLast5Column), asr = col(attackSuccessColumn)
        let tpr = col(detectionTPRColumn), fpr = col(detectionFPRColumn), eps = col(epsilonColumn)
        let precision = col(detectionPrecisionColumn), clean = col(cleanRoundFPRColumn)
        let wall = col(wallSecondsColumn), error = col(errorColumn)
        // Every column after the fixed ones is an evaluation figure.
        let fixed = Set(schema.columns.map(\.name))
        let figures = csv.header.enumerated().filter { !fixed.contains($0.element) }.map { ($0.element, $0.offset) }
        return try csv.rows.enumerated().map { n, f in
            func d(_ i: Int?) -> Double? { i.flatMap { CSVTable.double(f[$0]) } }
            guard let st = Status(rawValue: f[status].trimmingCharacters(in: .whitespaces)) else {
                throw ReportError.badValue(file: csv.file, line: n + 2, column: statusColumn.name, value: f[status],
                                           expected: "completed, diverged, failed, interrupted or pending")
            }
            var row = CompareRow(attack: f[attack], defense: f[defense], seed: f[seed], status: st,
                                 finalAccuracy: d(acc), attackSuccessRate: d(asr),
                                 error: error.map { f[$0] }.flatMap { $0.isEmpty ? nil : $0 })
            row.meanLast5Accuracy = d(last5)
            row.detectionTPR = d(tpr)
            row.detectionFPR = d(fpr)
            row.detectionPrecision = d(precision)
            row.cleanRoundFPR = d(clean)
            row.epsilon = d(eps)
            row.wallSeconds = d(wall)
            for (name, i) in figures { if let v = d(i) { row.evaluations[name] = v } }
            return row
        }
    }
}
