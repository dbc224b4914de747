/// How a comparison spreads each cell's clients over client processes (`processes:` in a
/// compare file).
///
/// A cell's results do not depend on how its clients are packed into processes (the same
/// seeds give the same model.bin with 20, 4 or 1 processes; `CellProcessesTests`), but each
/// client process costs a start, a shard file, a connection and a share of every round's
/// messages. So a comparison packs by default:
///
/// - `pack` (default): one client process per cell, except for cells whose attack works on the
///   wire protocol (replay, stale, id-claim, sybil, malformed, oversized, nan), which keep their
///   scenario's processes: there the processes and their messages are the point.
/// - `scenario`: every cell keeps its scenario's `federation.processes` (to time the wire, or
///   to reproduce a run made with `fedsim run`).
/// - an integer k: every cell runs its clients in min(k, clients) processes, wire attacks too.
public enum CellProcesses: Sendable, Equatable {
    case pack
    case scenario
    case fixed(Int)

    /// Reads `processes:` (absent: `pack`).
    init(_ r: ScenarioReader) throws {
        guard let word = try r.string("processes") else {
            self = .pack
            return
        }
        switch word {
        case "pack": self = .pack
        case "scenario": self = .scenario
        default:
            guard let k = Int(word), (1...100_000).contains(k) else {
                throw r.error("processes", "expected pack, scenario or a number of client processes in 1...100000; got \(word)")
            }
            self = .fixed(k)
        }
    }

    /// The client processes of a cell whose scenario is `scenario`.
    func clientProcesses(for scenario: Scenario) -> Int {
        let own = scenario.federation.processes, clients = scenario.federation.clients
        switch self {
        case .scenario: return own
        case let .fixed(k): return min(k, clients)
        case .pack: return scenario.attacks.contains { $0.descriptor.isWire } ? own : 1
        }
    }

    /// As written in a compare file.
    public var text: String {
        switch self {
        case .pack: return "pack"
        case .scenario: return "scenario"
        case let .fixed(k): return "\(k)"
        }
    }
}
