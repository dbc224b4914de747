/// Why a report could not be built. Each case prints as one line naming the file.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// The folder holds neither compare.csv nor rounds.csv.
    case notAReportFolder(String)
    /// A file that should be there cannot be read.
    case unreadable(String)
    /// A CSV file without even a header.
    case emptyFile(String)
    /// A CSV file without a column the report needs.
    case missingColumn(file: String, column: String)
    /// A quoted CSV field that never ends.
    case unterminatedQuote(file: String, line: Int)
    /// A field whose value the report cannot use.
    case badValue(file: String, line: Int, column: String, value: String, expected: String)
    /// A JSON file the report cannot trust, with the reason.
    case malformed(String, String)

    public var description: String {
        switch self {
        case let .notAReportFolder(d):
            return "\(d): no compare.csv or rounds.csv; not a fedsim run or comparison"
        case let .unreadable(p):
            return "\(p): cannot read"
        case let .emptyFile(p):
            return "\(p): empty file (no CSV header)"
        case let .missingColumn(file, column):
            return "\(file): no column \"\(column)\""
        case let .unterminatedQuote(file, line):
            return "\(file):\(line): quoted field never ends"
        case let .badValue(file, line, column, value, expected):
            return "\(file):\(line): \(column): expected \(expected), got \"\(value)\""
        case let .malformed(p, reason):
            return "\(p): damaged or not fedsim's: \(reason)"
        }
    }
}
