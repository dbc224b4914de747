import FedResults
import Foundation

/// rounds.csv read back: the per-round figures the reports plot. Columns the file lacks (an
/// older run, a rule without decisions) read as nil, so every field but `round` is optional.
public struct RoundsFile: Sendable {
    /// One line of rounds.csv (the columns are `RoundsColumns`).
    public struct Row: Sendable, Equatable {
        public var round: Int
        public var testAccuracy: Double?
        public var testLoss: Double?
        public var trainLoss: Double?
        public var attackSuccessRate: Double?
        public var sampled: Int?
        public var received: Int?
        public var rejected: Int?
        public var maliciousSampled: Int?
        public var maliciousReceived: Int?
        /// Malicious updates the rule let into the aggregate (nil: the rule made no decisions).
        public var maliciousSelected: Int?
        public var detectionTPR: Double?
        public var detectionFPR: Double?
        public var epsilon: Double?
        /// The defence's figures of the round (`f_used`, `tau`, `noise_std`, ...), by column name.
        public var figures: [String: Double] = [:]

        public init(round: Int, testAccuracy: Double? = nil, testLoss: Double? = nil, trainLoss: Double? = nil,
                    attackSuccessRate: Double? = nil) {
            self.round = round
            self.testAccuracy = testAccuracy
            self.testLoss = testLoss
            self.trainLoss = trainLoss
            self.attackSuccessRate = attackSuccessRate
        }
    }

    public let rows: [Row]
    /// The figure columns (every column beyond the fixed ones), in file order.
    public let figureNames: [String]

    public init(rows: [Row], figureNames: [String]? = nil) {
        self.rows = rows
        self.figureNames = figureNames ?? {
            var seen: [String] = []
            for r in rows { for n in r.figures.keys.sorted() where !seen.contains(n) { seen.append(n) } }
            return seen
        }()
    }

    public static func load(path: String) throws -> RoundsFile {
        try RoundsFile(table: CSVTable.load(path: path))
    }

    /// Reads the rows of a parsed rounds.csv; only the `round` column is required.
    public init(table: CSVTable) throws {
        typealias C = RoundsColumns
        let roundColumn = try table.require(C.round.name)
        func col(_ c: Column) -> Int? { table.index(of: c.name) }
        let acc = col(C.testAccuracy), loss = col(C.testLoss), train = col(C.trainLoss)
        let asr = col(C.attackSuccessRate), sampled = col(C.sampled), received = col(C.received)
        let rejected = col(C.rejected), mSampled = col(C.maliciousSampled), mReceived = col(C.maliciousReceived)
        let mSelected = col(C.maliciousSelected), tpr = col(C.detectionTPR), fpr = col(C.detectionFPR)
        let eps = col(C.epsilon)
        // Every other column between the detection columns and epsilon is a defence's figure.
        let fixed = Set(RoundsColumns.columns().header).subtracting(RoundsColumns.standardFigures.map(\.name))
        let figureColumns = table.header.enumerated().filter { !fixed.contains($0.element) }
        var rows: [Row] = []
        rows.reserveCapacity(table.rows.count)
        for (n, fields) in table.rows.enumerated() {
            func d(_ i: Int?) -> Double? { i.flatMap { CSVTable.double(fields[$0]) } }
            func k(_ i: Int?) -> Int? { i.flatMap { CSVTable.int(fields[$0]) } }
            guard let round = CSVTable.int(fields[roundColumn]) else {
                throw ReportError.badValue(file: table.file, line: n + 2, column: "round", value: fields[roundColumn],
                                           expected: "an integer")
            }
            var row = Row(round: round, testAccuracy: d(acc), testLoss: d(loss), trainLoss: d(train),
                          attackSuccessRate: d(asr))
            row.sampled = k(sampled)
            row.received = k(received)
            row.rejected = k(rejected)
            row.maliciousSampled = k(mSampled)
            row.maliciousReceived = k(mReceived)
            row.maliciousSelected = k(mSelected)
            row.detectionTPR = d(tpr)
            row.detectionFPR = d(fpr)
            row.epsilon = d(eps)
            for (i, name) in figureColumns { if let v = d(i) { row.figures[name] = v } }
            rows.append(row)
        }
        self.rows = rows
        figureNames = figureColumns.map(\.element)
    }

    /// The rounds as x values, and one figure per round as y values (nil where absent).
    public func series(_ value: (Row) -> Double?) -> [(x: Double, y: Double?)] {
        rows.map { (Double($0.round), value($0)) }
    }

    /// Whether any round has a value for `value`.
    public func has(_ value: (Row) -> Double?) -> Bool { rows.contains { value($0) != nil } }
}

// MARK: - Averaging over seeds

extension RoundsFile {
    /// The mean of `value` per round over several runs (seeds): for each round that any run
    /// reached, the mean over the runs that have a value there. Rounds in ascending order.
    public static func meanPerRound(_ files: [RoundsFile], _ value: (Row) -> Double?) -> [(x: Double, y: Double?)] {
        var sums: [Int: (sum: Double, count: Int)] = [:]
        for file in files {
            for row in file.rows {
                var s = sums[row.round] ?? (0, 0)
                if let v = value(row) { s = (s.sum + v, s.count + 1) }
                sums[row.round] = s
            }
        }
        return sums.keys.sorted().map { r in
            let s = sums[r] ?? (0, 0)
            return (Double(r), s.count > 0 ? s.sum / Double(s.count) : nil)
        }
    }
}

extension RoundsFile {
    /// The smallest and largest `value` per round over several runs (seeds): the band a chart
    /// draws around their mean. Rounds where fewer than two runs have a value are left out
    /// (one seed has no spread). Rounds in ascending order.
    public static func rangePerRound(_ files: [RoundsFile], _ value: (Row) -> Double?) -> [(x: Double, lo: Double, hi: Double)] {
        var spans: [Int: (lo: Double, hi: Double, count: Int)] = [:]
        for file in files {
            for row in file.rows {
                guard let v = value(row) else { continue }
                let s = spans[row.round] ?? (v, v, 0)
                spans[row.round] = (min(s.lo, v), max(s.hi, v), s.count + 1)
            }
        }
        return spans.keys.sorted().compactMap { r in
            guard let s = spans[r], s.count > 1 else { return nil }
            return (Double(r), s.lo, s.hi)
        }
    }
}
