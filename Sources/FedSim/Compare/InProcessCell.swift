#if canImport(Glibc)
import Glibc
#endif
import FedAttacks
import FedCore
import FedResults
import Foundation
import Logging

/// One cell of a comparison run inside the compare process (`isolation: thread`): what
/// `fedsim run` does for the cell's scenario file, with threads where it starts processes.
///
/// The coordinator runs on the calling thread; each client process of the cell's plan
/// (`LaunchPlan.processes`, i.e. `processes:`) is a `ClientRuntime` on a thread of its own, and
/// the adversary hub, when an attack colludes, another. They talk over ZeroMQ ipc:// sockets in
/// a private temporary folder, with CURVE when the scenario asks for it, exactly the messages
/// of a multi-process run: so the cell's results are the same bits (`InProcessCellTests`
/// compares model.bin with `fedsim run`'s). What it leaves out is what a process costs: the
/// `fedsim run` and client process starts, loading the scenario in each, the shard files
/// (each client runtime takes its clients' data from the prepared federation, which gives the
/// same datasets as a shard file: `ClientData`), and the hub preparing the data again.
///
/// Nothing outlives the cell: when the coordinator is done (or failed) the client and hub
/// threads are joined; one still running after the coordinator told it to stop is stopped
/// through its network (`StoppableNetwork`) and joined.
enum InProcessCell {
    /// Runs the scenario file `path` into `folder` (replacing what is there, as `fedsim run
    /// --force` does), logging to `logPath`. Returns the summary it wrote; errors before the
    /// first round (a scenario or data problem, a client runtime that could not start) throw.
    ///
    /// Raising `stop` from another thread ends every loop of the cell within one wait (the
    /// coordinator's run then ends as failed, its rounds so far recorded).
    @discardableResult
    static func run(scenarioPath path: String, folder: String, logPath: String, logLevel: Logger.Level,
                    writeReport: Launcher.ReportHook?, stop: StopFlag = StopFlag()) throws -> RunSummary {
        let started = Date()
        let sink = try CellLogHandler.Sink(path: logPath)
        let logger = CellLogHandler.logger("fedsim.run", sink: sink, level: logLevel)
        do {
            return try run(path, folder: folder, sink: sink, logger: logger, logLevel: logLevel, started: started,
                           writeReport: writeReport, stop: stop)
        } catch {
            // The same last line a cell's `fedsim run` process leaves in its log.
            sink.write("fedsim: \(FileErrorText.describe(error))\n")
            throw error
        }
    }

    private static func run(_ path: String, folder: String, sink: CellLogHandler.Sink, logger: Logger,
                            logLevel: Logger.Level, started: Date, writeReport: Launcher.ReportHook?,
                            stop: StopFlag) throws -> RunSummary {
        let scenario = try Scenario.load(path: path)
        try RunFolderGuard.check(folder, fingerprint: scenario.fingerprint, force: true)
        let data = try FederationData.prepare(scenario, file: path, memoryLimit: try MemoryLimit.current())
        let results = try RunResults(directory: folder, scenario: scenario,
                                     labelCounts: data.partition.labelCounts(of: data.train), classNames: data.train.classNames)

        let runtimeDir = try RuntimeDirectory.create()
        defer { try? FileManager.default.removeItem(atPath: runtimeDir) }
        let launch = try LaunchPlan(scenario: scenario, runtimeDirectory: runtimeDir)
        var threads: [CellThread] = []
        defer {
            // The clients and the hub end after the coordinator's shutdown; give them a few
            // seconds (their lingers), then stop their loops and wait for them.
            let until = Date().addingTimeInterval(5)
            while threads.contains(where: { $0.isStarted && !$0.isDone }) && Date() < until { usleep(2_000) }
            stop.raise()
            for t in threads { t.join() }
        }

        // The hub first: the coordinator's tap and the colluding clients connect to it.
        var hubEndpoint: String?
        var tapEndpoint: String?
        if let bind = launch.hubEndpoint {
            let hub = try AdversaryHub(scenario: scenario, attacks: try AttackFactory.hubAttacks(scenario),
                                       parameterCount: data.model.parameterCount, network: try StoppableNetwork(flag: stop),
                                       bind: bind, tapBind: launch.tapEndpoint,
                                       logger: CellLogHandler.logger("fedsim.adversary", sink: sink, level: logLevel))
            hubEndpoint = hub.endpoint
            tapEndpoint = hub.tapEndpoint
            let box = Unchecked(hub)
            threads.append(CellThread(name: "the adversary hub") {
                defer { box.value.close() }
                try box.value.run(parentPid: nil)
            })
        }

        let groups = launch.processes
        let (curve, clientKeys) = try ServerCurve.forLocalRun(launch, directory: runtimeDir)
        setBLASThreads(1)
        let coordinator = try Coordinator(scenario: scenario, data: data, network: try StoppableNetwork(flag: stop),
                                          endpoint: launch.coordinatorEndpoint, tapEndpoint: tapEndpoint, curve: curve,
                                          logger: logger)
        defer { coordinator.close() }
        let endpoint = coordinator.boundEndpoint

        for (k, ids) in groups.enumerated() {
            let label = "fedsim.client[\(ClientIdList.format(ids))]"
            let runtime = try ClientRuntime(scenario: scenario, data: ClientData(federation: data, clientIds: ids), clientIds: ids,
                                            parentPid: nil, logger: CellLogHandler.logger(label, sink: sink, level: logLevel))
            let clientCurve = try k < clientKeys.count
                ? ClientCurve.load(keyFile: clientKeys[k].key, serverKeyFile: clientKeys[k].serverKey) : nil
            let box = Unchecked(runtime)
            let hub = hubEndpoint
            threads.append(CellThread(name: "client process \(k)") {
                try box.value.run(network: try StoppableNetwork(flag: stop), endpoint: endpoint, hubEndpoint: hub,
                                  curve: clientCurve)
            })
        }
        for t in threads { t.start() }

        let watched = threads
        coordinator.tick = { [unowned coordinator] in
            guard !coordinator.registrationComplete else { return }
            // Before every client registered, a client or the hub that ended means the run cannot start.
            if let ended = watched.first(where: { $0.isDone }) {
                throw CoordinatorError.clientProcessFailed("\(ended.name) ended before the first round: \(ended.failure ?? "no error")")
            }
        }
        return Launcher.coordinate(coordinator, results: results, processes: groups.count,
                                   progress: ProgressDisplay(style: .none, totalRounds: scenario.federation.rounds),
                                   startedAt: started, writeReport: writeReport)
    }
}

/// A value moved to another thread that only that thread uses from then on (a client
/// runtime, a hub: starting a thread is the memory barrier libzmq asks for when a socket
/// changes threads).
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A thread of a cell (a client runtime, the hub, or a whole cell): runs its body once, keeps
/// the error it threw, and can be joined.
final class CellThread: @unchecked Sendable {
    let name: String
    private let body: () throws -> Void
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var finished = false
    private var error: String?
    private var thread: Thread?
    /// Signalled once when the body has returned (the compare loop waits on it).
    private let onDone: DispatchSemaphore?

    init(name: String, onDone: DispatchSemaphore? = nil, _ body: @escaping () throws -> Void) {
        self.name = name
        self.body = body
        self.onDone = onDone
    }

    func start() {
        let t = Thread { [self] in
            var failure: String?
            do { try body() } catch { failure = FileErrorText.describe(error) }
            lock.withLock {
                self.error = failure
                finished = true
            }
            done.signal()
            onDone?.signal()
        }
        t.name = "fedsim-cell"
        // Training and aggregation recurse little, but the default 512 KiB of a secondary
        // thread is tight for the evaluations' workspaces: the main thread's 8 MiB.
        t.stackSize = 8 << 20
        lock.withLock { thread = t }
        t.start()
    }

    /// True once the body returned (or threw).
    var isDone: Bool { lock.withLock { finished } }
    /// True once `start` was called (a cell that failed while setting up starts none of its threads).
    var isStarted: Bool { lock.withLock { thread != nil } }
    /// What the body threw, described, or nil.
    var failure: String? { lock.withLock { error } }

    /// Waits until the body returned; at once when it was never started.
    func join() {
        guard isStarted else { return }
        done.wait()
        done.signal()   // later joins return at once
    }
}
