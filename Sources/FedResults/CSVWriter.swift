#if canImport(Glibc)
import Glibc
#endif
import FedCore
import Foundation

/// Appends rows to a CSV file, flushing after every row so that a killed run leaves a valid
/// file with every completed row (pandas and spreadsheets open it as it is). Errors name the
/// file and the system's reason ("No space left on device", "Too many open files").
public final class CSVWriter {
    private var fd: Int32
    public let path: String
    public let header: [String]

    public init(path: String, header: [String]) throws {
        fd = try CSVWriter.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)
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
            throw ResultsError.cannotWriteFile(path: path, reason: "its header differs from this fedsim's; cannot continue it")
        }
        lines = [expected] + lines.dropFirst().filter { line in
            Int(line.prefix { $0 != "," }).map { $0 <= round } ?? false
        }
        fd = try CSVWriter.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)
        self.path = path
        self.header = header
        try append(lines.joined(separator: "\n") + "\n")
    }

    /// Writes one row; values are quoted only where CSV requires it.
    public func write(_ fields: [String]) throws {
        precondition(fields.count == header.count, "CSV row of \(fields.count) fields for \(header.count) columns in \(path)")
        try append(fields.map(CSVWriter.escape).joined(separator: ",") + "\n")
    }

    public func close() {
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = Glibc.close(fd)
        fd = -1
    }

    deinit { close() }

    private func append(_ text: String) throws {
        precondition(fd >= 0, "CSV file \(path) written after close")
        let failure = Array(text.utf8).withUnsafeBytes { writeAll(fd, $0) }
        if let failure { throw ResultsError.cannotWriteFile(path: path, reason: failure) }
    }

    private static func open(_ path: String, flags: Int32) throws -> Int32 {
        let fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else { throw ResultsError.cannotWriteFile(path: path, reason: systemErrorText(errno)) }
        return fd
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

public enum ResultsError: Error, CustomStringConvertible {
    /// The system said why (errno's text).
    case cannotWriteFile(path: String, reason: String)
    public var description: String {
        switch self {
        case let .cannotWriteFile(path, reason): return "\(path): cannot write: \(reason)"
        }
    }
}
