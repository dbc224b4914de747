import FedCore
import FedResults
import Foundation
import Logging

/// A log handler that appends to one file (a cell's `cells/<cell>.log` when the cell runs
/// inside the compare process; a cell in its own process logs to the same file through its
/// stderr). One line per message, as swift-log's stream handler writes them:
/// `<time> <level> <label> : <message>`. The threads of a cell share it (a lock per line).
struct CellLogHandler: LogHandler {
    final class Sink: @unchecked Sendable {
        private let lock = NSLock()
        private let handle: FileHandle

        /// Creates (or truncates) the file at `path`.
        init(path: String) throws {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ResultsError.cannotWriteFile(path: path, reason: systemErrorText(errno))
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        }

        func write(_ line: String) {
            lock.withLock { handle.write(Data(line.utf8)) }
        }

        deinit { try? handle.close() }
    }

    let sink: Sink
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(sink: Sink, label: String, level: Logger.Level) {
        self.sink = sink
        self.label = label
        logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let stamp = ISO8601DateFormatter.string(from: Date(), timeZone: .current,
                                                formatOptions: [.withInternetDateTime])
        sink.write("\(stamp) \(event.level) \(label) : \(event.message)\n")
    }

    /// A logger labelled `label` writing to `sink` at `level`.
    static func logger(_ label: String, sink: Sink, level: Logger.Level) -> Logger {
        Logger(label: label) { CellLogHandler(sink: sink, label: $0, level: level) }
    }
}
