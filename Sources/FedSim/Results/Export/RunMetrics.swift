#if canImport(Glibc)
import Glibc
#endif
import FedResults
import Foundation
import Yams

/// A finished (or stopped) run folder read back for `--export`: every round of rounds.csv by
/// column, when each round ended, and the run's resolved scenario as flat `key.path = value`
/// parameters.
///
/// Round times: rounds.csv records each round's `round_ms`, not a clock time, so a round's
/// time is the run's start (summary.json's time less `wall_seconds`) plus the rounds' wall
/// times up to it. The same folder gives the same exported bytes.
public struct RunMetrics: Sendable {
    /// One column's value in one round: a number, or text (reject_reasons, note).
    public enum Value: Sendable, Equatable {
        case number(Double)
        case text(String)
    }

    public struct Round: Sendable {
        public var step: Int
        /// Milliseconds since 1970 when the round ended.
        public var timestampMs: Int64
        /// The round's non-empty fields, in rounds.csv's column order (without `round`).
        public var values: [(name: String, value: Value)]
    }

    public var name: String
    public var status: String
    public var fingerprint: String
    public var startMs: Int64
    public var endMs: Int64
    public var rounds: [Round]
    /// The resolved scenario, flattened (`federation.clients` = `10`), sorted by key.
    public var parameters: [(key: String, value: String)]

    /// The columns of rounds.csv that hold text, not a figure.
    static let textColumns: Set<String> = Set(RoundsColumns.columns().columns.filter { $0.kind == .text }.map(\.name))

    /// Reads `folder`'s summary.json, rounds.csv and scenario.yaml.
    public static func read(folder: String) throws -> RunMetrics {
        let summaryPath = folder + "/summary.json"
        guard let data = FileManager.default.contents(atPath: summaryPath) else {
            throw ExportError("\(summaryPath): no summary.json; export reads a run folder fedsim wrote")
        }
        let summary = try RunSummary.decoder().decode(RunSummary.self, from: data)
        // A run that failed before its first round has no rounds.csv: nothing to export but the run.
        let roundsPath = folder + "/rounds.csv"
        let table = FileManager.default.fileExists(atPath: roundsPath)
            ? try CSVTable.load(path: roundsPath)
            : CSVTable(file: roundsPath, header: [RoundsColumns.round.name], rows: [])
        let endMs = modificationMs(summaryPath)
        let startMs = endMs - Int64((summary.wallSeconds * 1000).rounded())
        let roundCol = try table.require(RoundsColumns.round.name)
        let roundMsCol = table.index(of: RoundsColumns.roundMs.name)
        var rounds: [Round] = []
        var elapsed = 0.0
        for row in table.rows {
            guard let step = CSVTable.int(row[roundCol]) else { continue }
            if let c = roundMsCol, let ms = CSVTable.double(row[c]) { elapsed += ms }
            var values: [(String, Value)] = []
            for (i, name) in table.header.enumerated() where i != roundCol && i < row.count && !row[i].isEmpty {
                if textColumns.contains(name) {
                    values.append((name, .text(row[i])))
                } else if let v = CSVTable.double(row[i]) {
                    values.append((name, .number(v)))
                }
            }
            rounds.append(Round(step: step, timestampMs: min(endMs, startMs + Int64(elapsed.rounded())), values: values))
        }
        var parameters: [(String, String)] = []
        if let text = try? String(contentsOfFile: folder + "/scenario.yaml", encoding: .utf8),
           let node = try? Yams.compose(yaml: text) {
            flatten(node, prefix: "", into: &parameters)
        }
        return RunMetrics(name: summary.name, status: summary.status, fingerprint: summary.fingerprint,
                          startMs: startMs, endMs: endMs, rounds: rounds,
                          parameters: parameters.sorted { $0.0 < $1.0 })
    }

    private static func flatten(_ node: Node, prefix: String, into out: inout [(String, String)]) {
        switch node {
        case .mapping(let m):
            for (k, v) in m { flatten(v, prefix: prefix.isEmpty ? (k.string ?? "") : prefix + "." + (k.string ?? ""), into: &out) }
        case .sequence:
            // A list (hidden sizes, attack schedules) as one flow-style value.
            out.append((prefix, flow(node)))
        case .scalar(let s):
            out.append((prefix, s.string))
        case .alias:
            break
        }
    }

    /// A node in YAML's flow style: `[64, 32]`, `{kind: backdoor, start_round: 3}`.
    private static func flow(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return s.string
        case .sequence(let q): return "[" + q.map(flow).joined(separator: ", ") + "]"
        case .mapping(let m): return "{" + m.map { "\(flow($0.key)): \(flow($0.value))" }.joined(separator: ", ") + "}"
        case .alias: return ""
        }
    }

    private static func modificationMs(_ path: String) -> Int64 {
        var st = stat()
        guard stat(path, &st) == 0 else { return 0 }
        return Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000
    }
}

/// Why an export could not be written: one line naming the file.
public struct ExportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
