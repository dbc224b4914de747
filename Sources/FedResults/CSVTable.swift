import Foundation

/// A CSV file read whole: a header and rows of strings, as `CSVWriter` writes them.
///
/// Fields are separated by commas; a field that contains a comma, a quote or a newline is
/// quoted, with quotes doubled inside (RFC 4180). Line ends may be `\n` or `\r\n`. Rows shorter
/// than the header are padded with empty fields (a run killed mid-row leaves a valid prefix).
public struct CSVTable: Sendable {
    /// The file's name, for error messages.
    public let file: String
    public let header: [String]
    public let rows: [[String]]

    public init(file: String, header: [String], rows: [[String]]) {
        self.file = file
        self.header = header
        self.rows = rows.map { $0.count < header.count ? $0 + Array(repeating: "", count: header.count - $0.count) : $0 }
    }

    /// Reads and parses `path`.
    public static func load(path: String) throws -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw ReportError.unreadable(path) }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses CSV text; the first record is the header. An empty text is an error.
    public static func parse(_ text: String, file: String) throws -> CSVTable {
        let records = try CSVTable.records(text, file: file)
        guard let header = records.first else { throw ReportError.emptyFile(file) }
        return CSVTable(file: file, header: header, rows: Array(records.dropFirst()))
    }

    /// The index of `column`, or nil when the file has no such column.
    public func index(of column: String) -> Int? { header.firstIndex(of: column) }

    /// The index of `column`, or an error naming the file and the column.
    public func require(_ column: String) throws -> Int {
        guard let i = index(of: column) else { throw ReportError.missingColumn(file: file, column: column) }
        return i
    }

    // MARK: - Parsing

    /// Splits CSV text into records of fields. Blank lines are skipped.
    static func records(_ text: String, file: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var quotedField = false
        var line = 1
        var recordLine = 1
        let bytes = Array(text.utf8)
        var i = 0

        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quotedField = false
        }
        func endRecord() {
            endField()
            if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
            record.removeAll(keepingCapacity: true)
        }

        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if b == UInt8(ascii: "\n") { line += 1 }
                    field.append(b)
                }
            } else {
                switch b {
                case UInt8(ascii: ","):
                    endField()
                case UInt8(ascii: "\n"):
                    endRecord()
                    line += 1
                    recordLine = line
                case UInt8(ascii: "\r") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n"):
                    break
                case UInt8(ascii: "\"") where field.isEmpty && !quotedField:
                    inQuotes = true
                    quotedField = true
                default:
                    field.append(b)
                }
            }
            i += 1
        }
        if inQuotes { throw ReportError.unterminatedQuote(file: file, line: recordLine) }
        if !field.isEmpty || !record.isEmpty || quotedField { endRecord() }
        return records
    }
}

// MARK: - Typed fields

extension CSVTable {
    /// A finite number, or nil for an empty, non-numeric or non-finite field.
    public static func double(_ field: String) -> Double? {
        guard !field.isEmpty, let x = Double(field.trimmingCharacters(in: .whitespaces)), x.isFinite else { return nil }
        return x
    }

    /// An integer (also written as a whole number such as "3.0"), or nil.
    public static func int(_ field: String) -> Int? {
        let t = field.trimmingCharacters(in: .whitespaces)
        if let i = Int(t) { return i }
        guard let x = double(t), x == x.rounded(), abs(x) < 1e15 else { return nil }
        return Int(x)
    }
}
