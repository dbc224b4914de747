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

    /// One axis of a sweep (`axes:` in a comparison file) and the value of this cell: the
    /// scenario key path (`attack.malicious`) and the value as written (`0.1`).
    public struct AxisValue: Sendable, Equatable, Hashable {
        public var key: String
        public var value: String
        public init(key: String, value: String) { self.key = key; self.value = value }

        /// The value as a number, when it is one (for the axis of a chart).
        public var number: Double? { CSVTable.double(value) }

        /// The folder-name segment `<key>_<value>`, with every character a run name does not
        /// allow (letters, digits, `.`, `_`, `-`) replaced by `_`.
        public var segment: String {
            String(String.UnicodeScalarView(("\(key)_\(value)").unicodeScalars.map { u in
                (u.isASCII && (u.properties.isAlphabetic || ("0"..."9").contains(u))) || u == "." || u == "-" || u == "_" ? u : "_"
            }))
        }
    }

    public var attack: String
    public var defense: String
    /// The cell's values of the comparison's axes, in the order of `axes:` (empty without a
    /// sweep; an axis that does not apply to the cell, such as `attack.*` for attack `none`,
    /// is absent and its column empty).
    public var axes: [AxisValue] = []
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
    public var folderName: String {
        ([attack, defense] + axes.map(\.segment) + ["seed\(seed)"]).joined(separator: "--")
    }

    /// The row of the comparison's tables: the attack, with the cell's axis values
    /// (`alie malicious=0.1`) when the comparison sweeps any. Axis keys are shown by their last
    /// segment unless two axes share it.
    public var rowLabel: String {
        guard !axes.isEmpty else { return attack }
        return ([attack] + axes.map { "\(CompareRow.shortName($0.key))=\($0.value)" }).joined(separator: " ")
    }

    /// `attack.malicious` -> `malicious`; `attack[1].z` -> `z`.
    public static func shortName(_ key: String) -> String {
        String(key.split(separator: ".").last ?? Substring(key))
    }

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

    /// compare.csv's columns when the comparison sweeps `axes` (key paths, in order; one text
    /// column each, between `defense` and `seed`) and the cells report the evaluation figures
    /// `figures` (in order, after the fixed columns).
    public static func schema(axes: [String] = [], evaluations figures: [String]) -> TableSchema {
        var columns = schema.columns
        columns.insert(contentsOf: axes.map { axisColumn($0) }, at: 2)
        return TableSchema(columns + figures.map { Column.figure($0, doc: "") })
    }

    /// The column of one sweep axis: its key path, holding the cell's value.
    public static func axisColumn(_ key: String) -> Column {
        Column(key, .text, doc: "the cell's value of the swept scenario key \(key)")
    }

    /// The row's fields, by column.
    public var row: ResultRow {
        var r = ResultRow()
        r.set(Self.attackColumn, attack)
        r.set(Self.defenseColumn, defense)
        for a in axes { r.set(Self.axisColumn(a.key), a.value) }
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
        // The columns between defense and seed are the sweep's axes; every other column that
        // is not a fixed one is an evaluation figure.
        let axisRange = defense < seed ? (defense + 1)..<seed : seed..<seed
        let axisColumns = axisRange.map { (csv.header[$0], $0) }
        let fixed = Set(schema.columns.map(\.name))
        let figures = csv.header.enumerated().filter { !fixed.contains($0.element) && !axisRange.contains($0.offset) }
            .map { ($0.element, $0.offset) }
        return try csv.rows.enumerated().map { n, f in
            func d(_ i: Int?) -> Double? { i.flatMap { CSVTable.double(f[$0]) } }
            guard let st = Status(rawValue: f[status].trimmingCharacters(in: .whitespaces)) else {
                throw ReportError.badValue(file: csv.file, line: n + 2, column: statusColumn.name, value: f[status],
                                           expected: "completed, diverged, failed, interrupted or pending")
            }
            var row = CompareRow(attack: f[attack], defense: f[defense], seed: f[seed], status: st,
                                 finalAccuracy: d(acc), attackSuccessRate: d(asr),
                                 error: error.map { f[$0] }.flatMap { $0.isEmpty ? nil : $0 })
            row.axes = axisColumns.compactMap { key, i in f[i].isEmpty ? nil : AxisValue(key: key, value: f[i]) }
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
