#if canImport(Glibc)
import Glibc
#endif
import FedCore
import FedResults
import Foundation
import Logging

/// `fedsim compare`: runs every cell of a comparison (each a full run, up to `parallel` at
/// once: inside this process, `InProcessCell`, or as a `fedsim run` child process, as
/// `isolation:` says), writes compare.csv as cells finish, and resumes an interrupted
/// comparison: cells whose results are complete on disk for the same scenario are not run
/// again; a half-written cell runs again from the start. A failing cell is recorded with its
/// reason and the others go on.
///
/// On a cluster (docs/CLUSTER.md) each scheduler task runs one slice (`Mode.shard`) into a
/// shared folder: it runs and writes only its own cells and its own table
/// (`shards/compare-K-of-N.csv`); `Mode.merge` then reads every cell's results from disk and
/// writes compare.csv without running anything. A plain run over the same folder does the
/// same and also runs whatever no shard finished.
public final class CompareRunner {
    /// What this invocation does with the matrix.
    public enum Mode: Sendable, Equatable {
        /// Run every cell still to run and write compare.csv.
        case all
        /// Run only this slice's cells; write the slice's table, not compare.csv.
        case shard(CompareShard)
        /// Run nothing: collect the cells' results on disk into compare.csv.
        case merge
    }

    public let mode: Mode
    /// Trackers each finished cell is exported for (`--export`): one MLflow experiment named
    /// after the comparison, one TensorBoard run per cell (tensorboard/<cell>/), metrics.jsonl
    /// in each cell's folder. Each cell's files are its own, so shards can export side by side.
    public var export: [ExportFormat] = []
    public let spec: CompareSpec
    public let directory: String
    private let executable: String
    private let style: ProgressDisplay.Style
    private var results: [String: CellResult] = [:]
    private let cells: [CompareCell]
    private let base: Scenario
    private let start = Date()
    /// Extra arguments of every cell's `fedsim run` (e.g. `--log-level info`); each cell's log is its own file.
    public var cellArguments: [String] = []
    /// The log level of cells run inside this process (`isolation: thread`); default warning,
    /// as a cell's `fedsim run` without `--log-level`.
    public var cellLogLevel: Logger.Level = .warning
    /// Writes report.html into a cell's folder once its summary is written, for cells run inside
    /// this process (a cell's `fedsim run` process writes its own); nil writes none.
    public var writeReport: Launcher.ReportHook?

    /// Throws when the base scenario itself (with the comparison's overrides) does not load.
    public init(spec: CompareSpec, outputDirectory: String?, executable: String, progress: ProgressDisplay.Style,
                mode: Mode = .all) throws {
        self.spec = spec
        self.mode = mode
        directory = outputDirectory ?? (spec.output + "/" + spec.name)
        self.executable = executable
        style = progress == .auto ? (Terminal.isLive(STDERR_FILENO) ? .terminal : .plain) : progress
        base = try spec.baseScenario()
        let all = CompareCell.all(spec, baseSeed: base.seed)
        matrix = all
        if case .shard(let shard) = mode {
            cells = all.enumerated().filter { shard.owns(position: $0.offset) }.map(\.element)
        } else {
            cells = all
        }
    }

    /// Every cell of the matrix, in order (`cells` is this invocation's share of it).
    private let matrix: [CompareCell]

    /// The table this invocation writes, relative to the folder.
    private var csvName: String {
        if case .shard(let shard) = mode { return shard.csvPath }
        return "compare.csv"
    }

    /// What a merge says about a cell no shard has finished.
    static let notRunYet = "not run yet"

    /// Runs the cells still to run. Returns every cell's result, in matrix order.
    public func run() throws -> [CellResult] {
        SignalTrap.install()
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory + "/cells", withIntermediateDirectories: true)
        if case .shard = mode { try fm.createDirectory(atPath: directory + "/shards", withIntermediateDirectories: true) }
        // Every shard writes these two (the same bytes): each through its own temporary file.
        try AtomicFile.write(Data(spec.text.utf8), to: directory + "/compare.yaml", shared: true)
        try AtomicFile.write(Data(base.resolvedYAML().utf8), to: directory + "/base.yaml", shared: true)

        // Prepare every cell: its scenario, or the reason it cannot run; skip finished ones.
        var queue: [(cell: CompareCell, path: String, inProcess: Bool)] = []
        var reused = 0
        for cell in cells {
            let folder = cellFolder(cell)
            do {
                let scenario = try cell.scenario(spec)
                let found = CellResult.read(cell, folder: folder, fingerprint: scenario.fingerprint)
                if let done = found, done.status.isFinished {
                    results[cell.id] = done
                    exportCell(cell)
                    reused += 1
                    continue
                }
                if mode == .merge {
                    if found != nil { exportCell(cell) }
                    // A cell a shard ran and lost keeps its reason; one no shard reached says so.
                    results[cell.id] = found ?? CellResult(cell: cell, status: .pending, error: Self.notRunYet)
                    continue
                }
                let path = directory + "/cells/\(cell.id).yaml"
                try AtomicFile.write(Data(scenario.resolvedYAML().utf8), to: path)
                queue.append((cell, path, spec.isolation.runsInProcess(scenario)))
                results[cell.id] = CellResult(cell: cell, status: .pending)
            } catch let e as ScenarioError {
                // The cell's own settings are at fault (e.g. a rule's bounds): name the key, not the override.
                results[cell.id] = CellResult(cell: cell, status: .failed,
                                              error: oneLine(e.keyPath.isEmpty ? e.message : "\(e.keyPath): \(e.message)"))
            } catch {
                results[cell.id] = CellResult(cell: cell, status: .failed, error: oneLine(FileErrorText.describe(error)))
            }
        }
        try writeCSV()
        note(notePrefix + "\(cells.count) cells: \(reused) already complete, \(queue.count) to run, \(cells.count - reused - queue.count) failed before starting; \(spec.parallel) at a time")

        var running: [RunningCell] = []
        defer {
            for r in running { r.stop() }
            for r in running { r.wait() }
        }
        // Signalled by every cell that ends inside this process (the loop below waits on it).
        let threadEnded = DispatchSemaphore(value: 0)
        var finished = 0
        let toRun = queue.count
        while !queue.isEmpty || !running.isEmpty {
            if SignalTrap.interrupted != nil {
                // Processes are terminated; cells in this process end on the signal by themselves.
                for r in running { r.stopProcess() }
                for r in running {
                    r.wait()
                    results[r.cell.id] = CellResult(cell: r.cell, status: .interrupted, error: "interrupted")
                }
                running = []
                try writeCSV()
                throw CoordinatorError.interrupted(signal: SignalTrap.interrupted ?? SIGINT)
            }
            while running.count < spec.parallel, !queue.isEmpty {
                let (cell, path, inProcess) = queue.removeFirst()
                let log = directory + "/cells/\(cell.id).log"
                if inProcess {
                    let stop = StopFlag()
                    let (folder, level, hook) = (cellFolder(cell), cellLogLevel, writeReport)
                    let thread = CellThread(name: cell.id, onDone: threadEnded) {
                        try InProcessCell.run(scenarioPath: path, folder: folder, logPath: log, logLevel: level,
                                              writeReport: hook, stop: stop)
                    }
                    thread.start()
                    running.append(RunningCell(cell: cell, began: Date(), worker: .thread(thread, stop)))
                    continue
                }
                let p = try ChildProcess(executable: executable,
                                         // --force: this runner checked the folder's fingerprint itself (a cell
                                                     // of another scenario there is stale and runs again).
                                         arguments: ["run", path, "--output", cellFolder(cell), "--progress", "plain", "--force",
                                                     "--parent-pid", String(getpid())] + cellArguments,
                                         logPath: log)
                running.append(RunningCell(cell: cell, began: Date(), worker: .process(p)))
            }
            var still: [RunningCell] = []
            for r in running {
                if r.isRunning { still.append(r); continue }
                finished += 1
                let cell = r.cell
                let result = finish(cell, exit: r.exitStatus, seconds: Date().timeIntervalSince(r.began))
                results[cell.id] = result
                exportCell(cell)
                try writeCSV()
                report(result, done: finished, of: toRun)
                TestHook.stopAfterCells(finished)
            }
            running = still
            if !running.isEmpty {
                showRunning(running, done: finished, of: toRun)
                // Until a cell ends (its slot then starts the next one at once), or 0.1 s for the display.
                let processes = running.compactMap(\.process)
                if processes.count == running.count {
                    ChildProcess.waitForAny(processes, upTo: 0.1)
                } else {
                    _ = threadEnded.wait(timeout: .now() + (processes.isEmpty ? 0.1 : 0.005))
                    if !processes.isEmpty { ChildProcess.waitForAny(processes, upTo: 0.005) }
                }
            }
        }
        endLine()
        return cells.compactMap { results[$0.id] }
    }

    // MARK: - Cells

    private func cellFolder(_ cell: CompareCell) -> String { directory + "/cells/" + cell.id }

    private func finish(_ cell: CompareCell, exit: Int32, seconds: Double) -> CellResult {
        let scenario = try? cell.scenario(spec)
        if let scenario, var r = CellResult.read(cell, folder: cellFolder(cell), fingerprint: scenario.fingerprint) {
            if !r.status.isFinished && r.error == nil { r.error = "exit status \(exit)" }
            return r
        }
        let log = (try? String(contentsOfFile: directory + "/cells/\(cell.id).log", encoding: .utf8)) ?? ""
        let reason = log.split(separator: "\n").last { $0.hasPrefix("fedsim:") }.map(String.init) ?? "exit status \(exit)"
        var r = CellResult(cell: cell, status: .failed, error: oneLine(reason))
        r.wallSeconds = seconds
        return r
    }

    /// Exports a cell that left a results folder; a failure is noted, and the comparison goes on.
    private func exportCell(_ cell: CompareCell) {
        guard !export.isEmpty, FileManager.default.fileExists(atPath: cellFolder(cell) + "/summary.json") else { return }
        do {
            try MetricsExport(root: directory, experiment: spec.name, runLabel: cell.id, runFolder: cellFolder(cell))
                .write(formats: export)
        } catch {
            note("fedsim: \(cell.id): export: \(FileErrorText.describe(error))")
        }
    }

    private func writeCSV() throws {
        let tmp = directory + "/" + csvName + ".tmp"
        // The base scenario's evaluation columns, then any other a cell reported, in cell order.
        var figures = ThreatEvaluator.figures(base.evaluate).map(\.name)
        for cell in cells {
            for name in (results[cell.id]?.row.evaluations.keys.sorted() ?? []) where !figures.contains(name) {
                figures.append(name)
            }
        }
        let schema = CompareRow.schema(axes: spec.axes.map(\.key), evaluations: figures)
        let csv = try CSVWriter(path: tmp, header: schema.header)
        for cell in cells { if let r = results[cell.id] { try csv.write(schema.fields(r.row.row)) } }
        csv.close()
        // rename(2) replaces the old table in one step: a reader never finds it missing.
        guard rename(tmp, directory + "/" + csvName) == 0 else {
            throw ResultsError.cannotWriteFile(path: directory + "/" + csvName, reason: systemErrorText(errno))
        }
    }

    private var notePrefix: String {
        switch mode {
        case .all: return ""
        case .shard(let shard): return "shard \(shard) of a \(matrix.count)-cell matrix: "
        case .merge: return "merge: "
        }
    }

    private func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    // MARK: - Progress

    private var lineOpen = false

    private func note(_ text: String) {
        guard style != .none else { return }
        // On a terminal the note replaces the live line (which is redrawn after it), so no
        // stale progress line is left between the notes.
        let clear = lineOpen ? "\r\u{1B}[K" : ""
        lineOpen = false
        FileHandle.standardError.write(Data((clear + text + "\n").utf8))
    }

    private var pace = CompareETA()

    private func report(_ r: CellResult, done: Int, of total: Int) {
        pace.cellFinished(done: done, of: total, elapsed: Date().timeIntervalSince(start))
        guard style != .none else { return }
        var acc = r.finalAccuracy.map { String(format: "%.4f", $0) } ?? "-"
        if let asr = r.attackSuccessRate { acc += " asr=" + String(format: "%.4f", asr) }
        let why = r.status == .completed ? "" : ": " + (r.error ?? r.status.rawValue)
        let left = pace.remaining(elapsed: Date().timeIntervalSince(start))
        if style == .terminal {
            // Fitted to the terminal like the live line: the timings go first, then the reason.
            typealias P = ProgressLine.Priority
            let line = ProgressLine([.init("cell \(done)/\(total) \(r.cell.id) \(r.status)", priority: P.essential),
                                     .init("accuracy \(acc)", priority: P.asr),
                                     .init(why.isEmpty ? "" : String(why.dropFirst(2)), priority: P.keptOut),
                                     .init(String(format: "%.1f s", r.wallSeconds ?? 0), priority: P.bar),
                                     .init("eta " + (left.map(ProgressLine.clock) ?? "-"), priority: P.elapsed)]
                                    .filter { !$0.text.isEmpty })
            note(line.render(width: Terminal.width(STDERR_FILENO)))
            return
        }
        let eta = left.map { String(format: "%.0fs", $0) } ?? "-"
        note("cell \(done)/\(total) \(r.cell.id) \(r.status) accuracy=\(acc) (\(String(format: "%.1f", r.wallSeconds ?? 0)) s)\(why) eta=\(eta)")
    }

    private func showRunning(_ running: [RunningCell], done: Int, of total: Int) {
        guard style == .terminal else { return }
        let current = running.map { r -> String in
            let cell = r.cell
            let rows = ((try? String(contentsOfFile: cellFolder(cell) + "/rounds.csv", encoding: .utf8)) ?? "")
                .split(separator: "\n").count - 1
            return "\(cell.id) r\(max(0, rows))"
        }
        let line = CompareETA.line(done: done, of: total, eta: pace.remaining(elapsed: Date().timeIntervalSince(start)),
                                   running: current)
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line.render(width: Terminal.width(STDERR_FILENO))).utf8))
        lineOpen = true
    }

    private func endLine() {
        if lineOpen { FileHandle.standardError.write(Data("\n".utf8)); lineOpen = false }
    }
}


/// A cell being run: a `fedsim run` child process, or a thread of this process
/// (`InProcessCell`) with the flag that stops it.
private struct RunningCell {
    enum Worker {
        case process(ChildProcess)
        case thread(CellThread, StopFlag)
    }

    var cell: CompareCell
    var began: Date
    var worker: Worker

    var process: ChildProcess? {
        if case let .process(p) = worker { return p }
        return nil
    }

    var isRunning: Bool {
        switch worker {
        case let .process(p): return p.isRunning
        case let .thread(t, _): return !t.isDone
        }
    }

    /// The process's exit status; for a thread 0, or 1 when it threw (its reason is in the log).
    var exitStatus: Int32 {
        switch worker {
        case let .process(p): return p.exitStatus ?? -1
        case let .thread(t, _): return t.failure == nil ? 0 : 1
        }
    }

    /// Terminates a process (a thread is left to end by itself).
    func stopProcess() {
        if case let .process(p) = worker { p.terminate(grace: 5) }
    }

    /// Terminates a process, or stops a thread's loops.
    func stop() {
        switch worker {
        case let .process(p): p.terminate(grace: 5)
        case let .thread(_, flag): flag.raise()
        }
    }

    /// Until a thread has ended (a process was waited for by `terminate`).
    func wait() {
        if case let .thread(t, _) = worker { t.join() }
    }
}
