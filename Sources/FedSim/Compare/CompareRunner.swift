#if canImport(Glibc)
import Glibc
#endif
import FedResults
import Foundation
import Logging

/// `fedsim compare`: runs every cell of a comparison (each a full multi-process `fedsim run`,
/// up to `parallel` at once), writes compare.csv as cells finish, and resumes an interrupted
/// comparison: cells whose results are complete on disk for the same scenario are not run
/// again; a half-written cell runs again from the start. A failing cell is recorded with its
/// reason and the others go on.
public final class CompareRunner {
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

    /// Throws when the base scenario itself (with the comparison's overrides) does not load.
    public init(spec: CompareSpec, outputDirectory: String?, executable: String, progress: ProgressDisplay.Style) throws {
        self.spec = spec
        directory = outputDirectory ?? (spec.output + "/" + spec.name)
        self.executable = executable
        style = progress == .auto ? (Terminal.isLive(STDERR_FILENO) ? .terminal : .plain) : progress
        base = try spec.baseScenario()
        cells = CompareCell.all(spec, baseSeed: base.seed)
    }

    /// Runs the cells still to run. Returns every cell's result, in matrix order.
    public func run() throws -> [CellResult] {
        SignalTrap.install()
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory + "/cells", withIntermediateDirectories: true)
        try AtomicFile.write(Data(spec.text.utf8), to: directory + "/compare.yaml")
        try AtomicFile.write(Data(base.resolvedYAML().utf8), to: directory + "/base.yaml")

        // Prepare every cell: its scenario, or the reason it cannot run; skip finished ones.
        var queue: [(CompareCell, String)] = []
        var reused = 0
        for cell in cells {
            let folder = cellFolder(cell)
            do {
                let scenario = try cell.scenario(spec)
                if let done = CellResult.read(cell, folder: folder, fingerprint: scenario.fingerprint),
                   done.status.isFinished {
                    results[cell.id] = done
                    reused += 1
                    continue
                }
                let path = directory + "/cells/\(cell.id).yaml"
                try AtomicFile.write(Data(scenario.resolvedYAML().utf8), to: path)
                queue.append((cell, path))
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
        note("\(cells.count) cells: \(reused) already complete, \(queue.count) to run, \(cells.count - reused - queue.count) failed before starting; \(spec.parallel) at a time")

        var running: [(CompareCell, ChildProcess, Date)] = []
        defer {
            for (_, p, _) in running { p.terminate(grace: 5) }
        }
        var finished = 0
        let toRun = queue.count
        while !queue.isEmpty || !running.isEmpty {
            if SignalTrap.interrupted != nil {
                for (cell, p, _) in running {
                    p.terminate(grace: 5)
                    results[cell.id] = CellResult(cell: cell, status: .interrupted, error: "interrupted")
                }
                running = []
                try writeCSV()
                throw CoordinatorError.interrupted(signal: SignalTrap.interrupted ?? SIGINT)
            }
            while running.count < spec.parallel, !queue.isEmpty {
                let (cell, path) = queue.removeFirst()
                let p = try ChildProcess(executable: executable,
                                         // --force: this runner checked the folder's fingerprint itself (a cell
                                                     // of another scenario there is stale and runs again).
                                         arguments: ["run", path, "--output", cellFolder(cell), "--progress", "plain", "--force",
                                                     "--parent-pid", String(getpid())] + cellArguments,
                                         logPath: directory + "/cells/\(cell.id).log")
                running.append((cell, p, Date()))
            }
            var still: [(CompareCell, ChildProcess, Date)] = []
            for (cell, p, began) in running {
                if p.isRunning { still.append((cell, p, began)); continue }
                finished += 1
                let result = finish(cell, exit: p.exitStatus ?? -1, seconds: Date().timeIntervalSince(began))
                results[cell.id] = result
                try writeCSV()
                report(result, done: finished, of: toRun)
                TestHook.stopAfterCells(finished)
            }
            running = still
            if !running.isEmpty { showRunning(running, done: finished, of: toRun) }
            usleep(100_000)
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

    private func writeCSV() throws {
        let tmp = directory + "/compare.csv.tmp"
        // The base scenario's evaluation columns, then any other a cell reported, in cell order.
        var figures = ThreatEvaluator.figures(base.evaluate).map(\.name)
        for cell in cells {
            for name in (results[cell.id]?.row.evaluations.keys.sorted() ?? []) where !figures.contains(name) {
                figures.append(name)
            }
        }
        let schema = CompareRow.schema(evaluations: figures)
        let csv = try CSVWriter(path: tmp, header: schema.header)
        for cell in cells { if let r = results[cell.id] { try csv.write(schema.fields(r.row.row)) } }
        csv.close()
        _ = try? FileManager.default.removeItem(atPath: directory + "/compare.csv")
        try FileManager.default.moveItem(atPath: tmp, toPath: directory + "/compare.csv")
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
        let acc = r.finalAccuracy.map { String(format: "%.4f", $0) } ?? "-"
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

    private func showRunning(_ running: [(CompareCell, ChildProcess, Date)], done: Int, of total: Int) {
        guard style == .terminal else { return }
        let current = running.map { cell, _, _ -> String in
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
