import FedCore

/// Where a comparison runs each cell (`isolation:` in a compare file).
///
/// A cell's results do not depend on it: the coordinator, the client runtimes and the adversary
/// hub run the same code and exchange the same messages over the same ZeroMQ sockets either
/// way, so the same scenario gives the same model.bin (`InProcessCellTests`). What differs is
/// the cost around the rounds: a cell in its own processes pays a `fedsim run` start, a client
/// process start per process (and the hub's), a shard file per process and every process
/// loading the scenario again; a cell in this process pays none of them.
///
/// - `auto` (default): `thread`, except for cells whose attack works on the wire protocol
///   (replay, stale, id-claim, sybil, malformed, oversized, nan), which run as `process`:
///   there the processes and their messages are the point.
/// - `thread`: every cell inside the `fedsim compare` process: its coordinator on a thread of
///   its own, each of its client processes (`processes:`) and its hub as a thread, over
///   ipc:// sockets in a private temporary folder.
/// - `process`: every cell as a `fedsim run` child process with real client processes (to time
///   start-up and the wire, or to reproduce a run made with `fedsim run` exactly).
public enum CellIsolation: String, Sendable, Equatable, CaseIterable {
    case auto
    case thread
    case process

    /// Reads `isolation:` (absent: `auto`).
    init(_ r: ScenarioReader) throws {
        guard let word = try r.string("isolation") else {
            self = .auto
            return
        }
        guard let value = CellIsolation(rawValue: word) else {
            let names = Self.allCases.map(\.rawValue)
            throw r.error("isolation", "unknown value \"\(word)\";\(Suggestion.hint(for: word, among: names)) allowed: \(names.joined(separator: ", "))")
        }
        self = value
    }

    /// Whether the cell whose scenario is `scenario` runs inside this process.
    func runsInProcess(_ scenario: Scenario) -> Bool {
        switch self {
        case .thread: return true
        case .process: return false
        case .auto: return !scenario.attacks.contains { $0.descriptor.isWire }
        }
    }
}
