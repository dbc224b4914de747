#if canImport(Glibc)
import Glibc
#endif
import FedCore
import FedResults
import Foundation
import Logging

/// `fedsim run`: starts the coordinator (in this process) and the client processes, shows
/// progress, and stops every child on exit, Ctrl-C or failure.
public enum Launcher {
    /// Writes the report of the run folder it is given (FedSim does not depend on FedReport).
    public typealias ReportHook = @Sendable (_ runFolder: String) throws -> Void

    public struct Options: Sendable {
        public var scenarioPath: String
        public var overrides: [String] = []
        /// Results folder; default `<scenario output>/<scenario name>`.
        public var outputDirectory: String?
        /// A stopped run's folder to continue from its checkpoint (`scenarioPath` is then unused).
        public var resume: String?
        /// The fedsim executable to start client processes with.
        public var executable: String
        public var progress: ProgressDisplay.Style = .auto
        /// Writes report.html into the results folder once summary.json is written (the CLI
        /// sets FedReport's writer); nil writes no report.
        public var writeReport: ReportHook?
        /// Replace a run of another scenario in the results folder (`--force`); without it that is refused.
        public var force = false

        public init(scenarioPath: String, executable: String) {
            self.scenarioPath = scenarioPath
            self.executable = executable
        }
    }

    /// Runs the scenario; returns the summary and the results folder. The summary's status
    /// says whether the run completed; errors before the first round are thrown.
    public static func run(_ options: Options, logger: Logger) throws -> (RunSummary, String) {
        let started = Date()
        SignalTrap.install()
        let scenario: Scenario
        let directory: String
        let data: FederationData
        let results: RunResults
        var checkpoint: Checkpoint?
        if let resume = options.resume {
            // Continue a stopped run from its folder: its resolved scenario and last checkpoint.
            directory = resume
            scenario = try Scenario.load(path: resume + "/scenario.yaml")
            let c = try Checkpoint.read(from: resume)
            checkpoint = c
            data = try FederationData.prepare(scenario, file: resume + "/scenario.yaml", memoryLimit: try MemoryLimit.current())
            results = try RunResults(continuing: resume, scenario: scenario, throughRound: c.round)
        } else {
            scenario = try Scenario.load(path: options.scenarioPath, overrides: options.overrides)
            directory = options.outputDirectory ?? (scenario.output + "/" + scenario.name)
            try RunFolderGuard.check(directory, fingerprint: scenario.fingerprint, force: options.force)
            data = try FederationData.prepare(scenario, file: options.scenarioPath,
                                              memoryLimit: try MemoryLimit.current())
            results = try RunResults(directory: directory, scenario: scenario,
                                     labelCounts: data.partition.labelCounts(of: data.train), classNames: data.train.classNames)
        }

        let runtimeDir = try RuntimeDirectory.create()
        defer { try? FileManager.default.removeItem(atPath: runtimeDir) }
        let launch = try LaunchPlan(scenario: scenario, runtimeDirectory: runtimeDir)

        var children: [ChildProcess] = []
        defer { stopAll(children) }
        let progress = ProgressDisplay(style: options.progress, totalRounds: scenario.federation.rounds)

        // The adversary hub first: colluding clients connect to it, the coordinator may tap into it.
        var hub: (endpoint: String, tap: String?)?
        let ready = runtimeDir + "/hub.ready"
        if let args = launch.hubArguments(scenarioFile: results.scenarioPath, readyFile: ready, parentPid: getpid()) {
            let child = try ChildProcess(executable: options.executable, arguments: args,
                                         logPath: results.logsPath + "/adversary.log",
                                         environment: ["OPENBLAS_NUM_THREADS": "1"])
            children.append(child)
            hub = try waitForHub(ready, child: child, log: results.logsPath + "/adversary.log")
        }

        let groups = launch.processes
        // CurveZMQ for a local run: throwaway keys, so that it exercises the same code as a
        // federation across machines (which brings its own key files; docs/DEPLOY.md).
        let (curve, clientKeys) = try ServerCurve.forLocalRun(launch, directory: runtimeDir)
        // The client processes need the cores; OpenBLAS's idle threads would spin on them.
        // Set here, per process, not by the Coordinator (a library value that tests build).
        setBLASThreads(1)
        let coordinator = try Coordinator(scenario: scenario, data: data, endpoint: launch.coordinatorEndpoint,
                                          tapEndpoint: hub?.tap, curve: curve, logger: logger)
        defer { coordinator.close() }
        if let checkpoint {
            try coordinator.resume(from: checkpoint, path: directory + "/" + Checkpoint.fileName)
            progress.firstRound = checkpoint.round + 1
            progress.note("resuming \(scenario.name) after round \(checkpoint.round) of \(scenario.federation.rounds)")
        }

        // The data once, here: each client process reads its clients' shares from its shard
        // file and never loads the whole training set (the test set stays with the coordinator).
        var shards: [String] = []
        for (k, ids) in groups.enumerated() {
            let path = LaunchPlan.shardFile(process: k, runtimeDirectory: runtimeDir)
            try ClientData.shardFile(of: data, scenario: scenario, clientIds: ids).write(to: path)
            shards.append(path)
        }
        progress.note("starting \(groups.count) client processes for \(scenario.federation.clients) clients")
        for k in groups.indices {
            let args = launch.clientArguments(process: k, scenarioFile: results.scenarioPath, coordinator: coordinator.boundEndpoint,
                                              hub: hub?.endpoint, keys: k < clientKeys.count ? clientKeys[k] : nil,
                                              parentPid: getpid(), shardFile: shards[k])
            children.append(try ChildProcess(executable: options.executable, arguments: args,
                                             logPath: results.logsPath + "/process-\(k).log",
                                             environment: ["OPENBLAS_NUM_THREADS": "1"]))
        }

        coordinator.tick = { [unowned coordinator] in
            guard !coordinator.registrationComplete else { return }
            // Before every client registered, a dead child means the run cannot start.
            let offset = children.count - groups.count
            for (i, c) in children.enumerated() where !c.isRunning {
                let name = i < offset ? "adversary" : "process-\(i - offset)"
                throw CoordinatorError.clientProcessFailed(
                    "\(i < offset ? "the adversary hub" : "client process \(i - offset)") exited with status \(c.exitStatus ?? -1) before the first round; see \(results.logsPath)/\(name).log"
                    + lastLine(results.logsPath + "/\(name).log"))
            }
        }
        let summary = coordinate(coordinator, results: results, processes: groups.count, progress: progress,
                                 startedAt: started, writeReport: options.writeReport)
        return (summary, directory)
    }

    /// Runs the coordinator's rounds and writes summary.json and model.bin whatever happens;
    /// the returned summary's status tells how the run ended.
    /// `startedAt` is when the run began (wall_seconds counts from it: loading, start-up, rounds);
    /// `writeReport` then writes report.html (nil: no report).
    public static func coordinate(_ coordinator: Coordinator, results: RunResults, processes: Int,
                                  progress: ProgressDisplay, startedAt start: Date = Date(),
                                  writeReport: ReportHook?) -> RunSummary {
        var status = "completed"
        var message: String?
        do {
            try coordinator.run(results: results) { progress.round($0) }
        } catch let e as CoordinatorError {
            switch e {
            case .interrupted: status = "interrupted"
            case .diverged: status = "diverged"
            default: status = "failed"
            }
            message = e.description
        } catch {
            status = "failed"
            message = FileErrorText.describe(error)
        }
        progress.finish()
        let summary = RunSummary(coordinator, status: status, error: message, processes: processes,
                                 wallSeconds: Date().timeIntervalSince(start))
        do {
            try results.finish(summary: summary, model: coordinator.global)
            try writeReport?(results.directory)
        } catch {
            FileHandle.standardError.write(Data("fedsim: \(error)\n".utf8))
        }
        return summary
    }

    /// Asks every child to stop (they normally have, after the coordinator's shutdown), then
    /// terminates the ones still running. Nothing outlives the run.
    static func stopAll(_ children: [ChildProcess]) {
        let until = Date().addingTimeInterval(3)
        while children.contains(where: { $0.isRunning }) && Date() < until { usleep(5_000) }
        for c in children where c.isRunning { c.signal(SIGTERM) }
        for c in children { c.terminate(grace: 2) }
    }

    /// Waits for the hub to write its bound endpoints ("hub\ntap\n") into `path`.
    private static func waitForHub(_ path: String, child: ChildProcess, log: String) throws -> (endpoint: String, tap: String?) {
        let until = Date().addingTimeInterval(60)
        while Date() < until {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") {
                let lines = text.split(separator: "\n").map(String.init)
                if let first = lines.first { return (first, lines.count > 1 ? lines[1] : nil) }
            }
            guard child.isRunning else {
                throw CoordinatorError.clientProcessFailed("the adversary hub exited with status \(child.exitStatus ?? -1); see \(log)" + lastLine(log))
            }
            usleep(5_000)
        }
        throw CoordinatorError.clientProcessFailed("the adversary hub did not start within 60 s; see \(log)")
    }

    private static func lastLine(_ path: String) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").last else { return "" }
        return ": " + String(line)
    }
}
