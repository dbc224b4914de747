import Foundation

/// Appends rows to a CSV file, flushing after every row so that a killed run leaves a valid
/// file with every completed row (pandas and spreadsheets open it as it is).
public final class CSVWriter {
    private let handle: FileHandle
    public let path: String
    public let header: [String]

    public init(path: String, header: [String]) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw ResultsError.cannotWrite(path: path)
        }
        handle = h
        self.path = path
        self.header = header
        try write(header)
    }

    /// Reopens an existing CSV file to continue it after a resume: keeps the header and the
    /// rows whose first field (the round) is at most `round`, drops the rest (rows of a round
    /// that did not finish), and appends from there.
    public init(continuing path: String, header: [String], throughRound round: Int) throws {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let expected = header.joined(separator: ",")
        guard lines.first == expected else {
            throw ResultsError.cannotWrite(path: path + " (its header differs from this fedsim's; cannot continue it)")
        }
        lines = [expected] + lines.dropFirst().filter { line in
            Int(line.prefix { $0 != "," }).map { $0 <= round } ?? false
        }
        guard FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8)),
              let h = FileHandle(forWritingAtPath: path) else {
            throw ResultsError.cannotWrite(path: path)
        }
        try h.seekToEnd()
        handle = h
        self.path = path
        self.header = header
    }

    /// Writes one row; values are quoted only where CSV requires it.
    public func write(_ fields: [String]) throws {
        precondition(fields.count == header.count, "CSV row of \(fields.count) fields for \(header.count) columns in \(path)")
        let line = fields.map(CSVWriter.escape).joined(separator: ",") + "\n"
        try handle.write(contentsOf: Data(line.utf8))
    }

    public func close() {
        try? handle.synchronize()
        try? handle.close()
    }

    deinit { try? handle.close() }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

public enum ResultsError: Error, CustomStringConvertible {
    case cannotWrite(path: String)
    /// The system said why (errno's text).
    case cannotWriteFile(path: String, reason: String)
    public var description: String {
        switch self {
        case let .cannotWrite(path): return "\(path): cannot write"
        case let .cannotWriteFile(path, reason): return "\(path): cannot write: \(reason)"
        }
    }
}
