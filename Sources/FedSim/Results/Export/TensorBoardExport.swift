import FedResults
import Foundation

/// TensorBoard event files written directly: TFRecord framing (`TFRecord`) around `Event`
/// protocol buffers (tensorflow/core/util/event.proto), encoded by hand:
///
///     Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
///     Summary { repeated Value value = 1; }
///     Value   { string tag = 1; float simple_value = 2; }
///
/// The first event carries `file_version: "brain.Event:2"`; then one event per round with
/// one scalar per figure of rounds.csv (text columns are left out). TensorBoard's scalars
/// dashboard, its EventAccumulator and tbparse read `simple_value`.
enum TensorBoardExport {
    /// fedsim's event files end in `.fedsim`: an export replaces those, and no other file.
    static let suffix = ".fedsim"

    /// Writes `directory/events.out.tfevents.<start seconds>.fedsim`; returns the directory.
    static func write(_ m: RunMetrics, directory: String) throws -> String {
        try RunResults.makeDirectories(directory)
        let fm = FileManager.default
        let name = "events.out.tfevents.\(m.startMs / 1000)\(suffix)"
        for old in (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        where old.hasPrefix("events.out.tfevents.") && old.hasSuffix(suffix) && old != name {
            try fm.removeItem(atPath: directory + "/" + old)
        }
        try AtomicFile.write(Data(bytes(m)), to: directory + "/" + name)
        return directory
    }

    /// The whole event file.
    static func bytes(_ m: RunMetrics) -> [UInt8] {
        var header = ProtobufWriter()
        header.double(1, Double(m.startMs) / 1000)
        header.string(3, "brain.Event:2")
        var out = TFRecord.frame(header.bytes)
        for r in m.rounds {
            var summary = ProtobufWriter()
            for (tag, value) in r.values {
                guard case .number(let v) = value else { continue }
                var entry = ProtobufWriter()
                entry.string(1, tag)
                entry.float(2, Float(v))
                summary.bytes(1, entry.bytes)
            }
            var event = ProtobufWriter()
            event.double(1, Double(r.timestampMs) / 1000)
            event.varint(2, UInt64(r.step))
            event.bytes(5, summary.bytes)
            out += TFRecord.frame(event.bytes)
        }
        return out
    }
}
