import Foundation

/// One column of a results table (rounds.csv, clients.csv, compare.csv): its name, the type of
/// its values, its unit and a one-line doc. Every figure anything writes per round or per cell is
/// a column declared once; the writers fill rows by column, the readers read by column, and
/// docs/RESULTS.md's tables are generated from the same declarations.
public struct Column: Sendable, Hashable {
    /// How values are written: integers in decimal, numbers with 6 significant digits (4 for
    /// timings), flags as 1/0, text as is; a missing value is an empty field.
    public enum Kind: String, Sendable {
        case integer, number, flag, text
    }

    public let name: String
    public let kind: Kind
    /// The unit, when there is one ("ms", "s").
    public let unit: String?
    public let doc: String
    /// Significant digits of a number (6; timings 4).
    public let digits: Int

    public init(_ name: String, _ kind: Kind, unit: String? = nil, digits: Int = 6, doc: String) {
        self.name = name
        self.kind = kind
        self.unit = unit
        self.doc = doc
        self.digits = digits
    }

    /// A column for a named figure a component reports (a rule's `tau`, DP's `noise_std`).
    public static func figure(_ name: String, doc: String) -> Column {
        Column(name, .number, doc: doc)
    }

    public static func == (a: Column, b: Column) -> Bool { a.name == b.name }
    public func hash(into h: inout Hasher) { h.combine(name) }
}

/// A table's columns in file order: the header, and rows written by column name.
public struct TableSchema: Sendable {
    public let columns: [Column]

    /// Columns in order; a later column of the same name as an earlier one is dropped.
    public init(_ columns: [Column]) {
        var seen = Set<String>()
        self.columns = columns.filter { seen.insert($0.name).inserted }
    }

    public var header: [String] { columns.map(\.name) }

    /// The fields of `row` in column order (empty where the row has no value). Every value in
    /// the row must belong to a declared column: a figure nobody declared is a bug, not a
    /// column to drop silently.
    public func fields(_ row: ResultRow) -> [String] {
        let unknown = Set(row.cells.keys).subtracting(header)
        precondition(unknown.isEmpty, "values for undeclared columns \(unknown.sorted()); declared: \(header)")
        return header.map { row.cells[$0] ?? "" }
    }
}

/// One row of a results table: values by column name, formatted by the column's kind.
public struct ResultRow: Sendable, Equatable {
    public private(set) var cells: [String: String] = [:]

    public init() {}

    public mutating func set(_ column: Column, _ value: Double?) {
        cells[column.name] = value.map { Self.format($0, digits: column.digits) } ?? ""
    }

    public mutating func set(_ column: Column, _ value: Int?) {
        cells[column.name] = value.map(String.init) ?? ""
    }

    public mutating func set(_ column: Column, _ value: Bool?) {
        cells[column.name] = value.map { $0 ? "1" : "0" } ?? ""
    }

    public mutating func set(_ column: Column, _ value: String?) {
        cells[column.name] = value ?? ""
    }

    /// A number with `digits` significant digits; empty when not finite.
    public static func format(_ x: Double, digits: Int = 6) -> String {
        guard x.isFinite else { return "" }
        return String(format: "%.\(digits)g", x)
    }
}
