#if canImport(Glibc)
import Glibc
#endif
import FedCore
import Foundation

/// What a run will hold in memory, per process, from the scenario alone: the parameter vectors
/// each process keeps (4 bytes per parameter) and the data it loads. Checked before any model
/// is allocated, so a model too large for the machine is refused in one line instead of
/// aborting in `malloc` (or being allocated once in every client process).
///
/// With `P` parameters, `k` clients sampled per round, `m` malicious clients and data of
/// `D` bytes (features and labels of the train and test splits, as Float32 and Int32):
///
///     coordinator     = 4P (k + 6) + D     the k x P update matrix, the global model, the aggregate,
///                                          and up to four more length-P vectors a rule keeps
///                                          (centred clipping's centre, a momentum, DP's noise, ...)
///     client process  = 4P x 6 + D_c       parameters, gradient, SGD momentum, delta, the received
///                                          model and the send buffer (one client trains at a time);
///                                          D_c is the largest shard file's data under `fedsim run`
///                                          (its clients' training samples), D when not known
///     adversary hub   = 4P (m + 4)         the malicious updates it crafts, plus the honest mean
///
/// With worker momentum (FedSGD, `momentum_buffer: worker`, `momentum > 0`, N clients, h = the
/// most clients one process hosts) the coordinator adds `4P (N + k)` (every worker's buffer and
/// the state frames of a round's TASKs) and a client process `4P x 2h` (the states of its TASK,
/// as frames and decoded).
///
/// The total is `coordinator + processes x client + hub` (hub only when an attack needs it). This
/// is a floor: activations (batch x layer widths) and allocator slack come on top, so the default
/// limit keeps a fifth of the machine free.
public struct MemoryEstimate: Sendable, Equatable {
    public var coordinatorBytes: Double
    public var clientProcessBytes: Double
    public var processes: Int
    public var hubBytes: Double
    public var parameters: Int

    public var totalBytes: Double { coordinatorBytes + Double(processes) * clientProcessBytes + hubBytes }

    /// Which processes the machine that checks will host.
    public enum Scope: Sendable {
        /// `fedsim run`: the coordinator, every client process and the hub.
        case run
        /// `fedsim coordinator`: the client processes run elsewhere (or are counted by their own host).
        case coordinator
    }

    /// `clientDataBytes`: the data one client process holds (its shard file's), if known; else `dataBytes`.
    public init(scenario: Scenario, parameters: Int, dataBytes: Double, clientDataBytes: Double? = nil, scope: Scope = .run) {
        let p = 4 * Double(parameters)
        let sampled = ClientSampler(scenario).perRound
        let malicious = min(scenario.federation.clients,
                            scenario.attacks.reduce(0) { $0 + $1.malicious.count(of: scenario.federation.clients) })
        let needsHub = scenario.attacks.contains { $0.descriptor.needsHub }
        self.parameters = parameters
        let f = scenario.federation
        let buffers = f.workerMomentum?.keepsBuffer == true
        let hosted = (f.clients + f.processes - 1) / f.processes
        coordinatorBytes = p * Double(sampled + 6 + (buffers ? f.clients + sampled : 0)) + dataBytes
        clientProcessBytes = p * Double(6 + (buffers ? 2 * hosted : 0)) + (clientDataBytes ?? dataBytes)
        processes = scope == .run ? scenario.federation.processes : 0
        hubBytes = needsHub && scope == .run ? p * Double(malicious + 4) : 0
    }

    /// Checks the estimate against `limit`; the error names both and what to change.
    public func check(against limit: MemoryLimit) throws(MemoryLimitError) {
        guard let bytes = limit.bytes, totalBytes > bytes else { return }
        throw MemoryLimitError(estimate: self, limit: limit)
    }

    /// `coordinator 1.2 GiB, 10 client processes x 400 MiB`.
    public var breakdown: String {
        var parts = ["coordinator \(Self.format(coordinatorBytes))"]
        if processes > 0 {
            parts.append("\(processes) client process\(processes == 1 ? "" : "es") x \(Self.format(clientProcessBytes))")
        }
        if hubBytes > 0 { parts.append("adversary hub \(Self.format(hubBytes))") }
        return parts.joined(separator: ", ")
    }

    /// Binary units with three significant digits: `512 B`, `1.50 KiB`, `24.0 GiB`.
    public static func format(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = bytes
        var u = 0
        while v >= 1024, u < units.count - 1 { v /= 1024; u += 1 }
        if u == 0 { return "\(Int(v)) B" }
        return (v >= 100 ? String(format: "%.0f", v) : v >= 10 ? String(format: "%.1f", v) : String(format: "%.2f", v)) + " " + units[u]
    }
}

/// The memory a run may plan for: `FEDSIM_MEMORY_LIMIT` (`16GiB`, `512MiB`, `75%` of physical
/// memory, or `none`), else 80% of the smaller of physical memory and the cgroup's
/// `memory.max` (a container's or a Slurm job's limit).
public struct MemoryLimit: Sendable, Equatable, CustomStringConvertible {
    /// nil: no limit.
    public var bytes: Double?
    /// Where the figure came from, for the error line.
    public var source: String

    public init(bytes: Double?, source: String) {
        self.bytes = bytes
        self.source = source
    }

    public static let variable = "FEDSIM_MEMORY_LIMIT"

    /// The limit for this machine and environment.
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) throws(MemoryLimitError) -> MemoryLimit {
        let machine = machineBytes()
        if let text = environment[variable] {
            return try parse(text, machineBytes: machine.bytes)
        }
        return MemoryLimit(bytes: 0.8 * machine.bytes, source: "80% of \(machine.source)")
    }

    /// Parses `16GiB`, `16G`, `512 MiB`, `1e9` (bytes), `75%`, `none`.
    public static func parse(_ text: String, machineBytes: Double) throws(MemoryLimitError) -> MemoryLimit {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.lowercased() == "none" { return MemoryLimit(bytes: nil, source: "\(variable)=none") }
        if t.hasSuffix("%"), let share = Double(t.dropLast()), share > 0, share <= 100 {
            return MemoryLimit(bytes: share / 100 * machineBytes, source: "\(variable)=\(t)")
        }
        let units: [(String, Double)] = [("TiB", 0x1p40), ("GiB", 0x1p30), ("MiB", 0x1p20), ("KiB", 0x1p10),
                                         ("T", 0x1p40), ("G", 0x1p30), ("M", 0x1p20), ("K", 0x1p10), ("B", 1)]
        var number = t
        var scale = 1.0
        for (suffix, s) in units where t.hasSuffix(suffix) {
            number = String(t.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            scale = s
            break
        }
        guard let v = Double(number), v > 0, v.isFinite else { throw .badLimit(text) }
        return MemoryLimit(bytes: v * scale, source: "\(variable)=\(t)")
    }

    /// Physical memory, or the cgroup v2 limit when that is lower.
    static func machineBytes() -> (bytes: Double, source: String) {
        let physical = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let cgroup = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), cgroup < physical {
            return (cgroup, "the cgroup's memory.max (\(MemoryEstimate.format(cgroup)))")
        }
        return (physical, "physical memory (\(MemoryEstimate.format(physical)))")
    }

    public var description: String {
        bytes.map { "\(MemoryEstimate.format($0)) (\(source))" } ?? "none (\(source))"
    }
}

public enum MemoryLimitError: Error, CustomStringConvertible, Equatable {
    case exceeded(estimate: MemoryEstimate, limit: MemoryLimit)
    case badLimit(String)

    init(estimate: MemoryEstimate, limit: MemoryLimit) { self = .exceeded(estimate: estimate, limit: limit) }

    public var description: String {
        switch self {
        case .exceeded: return "model: " + message
        case .badLimit: return message
        }
    }

    /// The text after the key.
    public var message: String {
        switch self {
        case let .exceeded(e, limit):
            return "the run needs about \(MemoryEstimate.format(e.totalBytes)) of memory "
                + "(\(e.breakdown); \(e.parameters) parameters) but the limit is \(limit); "
                + "shrink the model or the processes, or set \(MemoryLimit.variable)"
        case let .badLimit(text):
            return "\(MemoryLimit.variable)=\(text): expected bytes with a unit (16GiB, 512MiB), a share (75%) or none"
        }
    }
}

extension MemoryLimitError {
    /// The same refusal as a scenario error at the `model` key of `file`.
    public func inScenario(_ file: String) -> Error {
        guard case .exceeded = self else { return self }
        return ScenarioError(file: file, keyPath: "model", message: message)
    }
}

extension FederationData {
    /// `prepare` with the memory check, its refusal naming the scenario file.
    public static func prepare(_ scenario: Scenario, file: String, memoryLimit: MemoryLimit,
                               scope: MemoryEstimate.Scope = .run) throws -> FederationData {
        do {
            return try prepare(scenario, memoryLimit: memoryLimit, scope: scope)
        } catch let e as MemoryLimitError {
            throw e.inScenario(file)
        }
    }
}
