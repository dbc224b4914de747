import FedSim
import FedTestSupport
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `fedsim` executable (built next to the test bundle) as child processes, and
/// makes sure none of them, nor their children, outlives the test, even when it fails.
///
/// Tests wait for events, never for time: a line in a log or a row in a CSV (`waitForText`,
/// `waitForRows`: inotify), a process ending (`wait`, `waitForNoProcesses`: pidfd) or a
/// coordinator stopping at a test hook (`waitUntilStopped`: waitid). Timeouts are generous
/// upper bounds for failure only.
final class FedsimHarness {
    let root: String
    private let folder: TemporaryDirectory
    private var started: [ChildProcess] = []

    /// The repository root (scenarios live there).
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The fedsim binary built beside this test bundle.
    static var binary: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // swift-corelibs-xctest runs <bin>/fedsimPackageTests.xctest; the product sits in <bin>.
        if dir.lastPathComponent.hasSuffix(".xctest") { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("fedsim").path
    }

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: FedsimHarness.binary) else {
            throw HarnessError("fedsim executable not found at \(FedsimHarness.binary); build it first (scripts/test does)")
        }
        folder = try TemporaryDirectory(prefix: "fedsim-test")
        root = folder.path
    }

    /// Stops everything this harness started and removes its folder.
    func tearDown() {
        for p in started { p.terminate(grace: 1) }
        killStragglers()
        folder.remove()
    }

    /// Starts `fedsim args...` with stdout and stderr in `log` (under the harness folder).
    @discardableResult
    func start(_ args: [String], log: String, environment: [String: String] = [:]) throws -> ChildProcess {
        try start(executable: FedsimHarness.binary, args, log: log, environment: environment)
    }

    /// Starts any executable; it is stopped with the others in `tearDown`.
    @discardableResult
    func start(executable: String, _ args: [String], log: String,
               environment: [String: String] = [:]) throws -> ChildProcess {
        let p = try ChildProcess(executable: executable, arguments: args, logPath: root + "/" + log,
                                 environment: environment)
        started.append(p)
        return p
    }

    /// A federation started by hand: a coordinator and its client processes.
    struct Federation {
        let coordinator: ChildProcess
        /// The endpoint the coordinator bound (tcp://127.0.0.1:<port>).
        let endpoint: String
        /// One process per client id, in the order of the ids.
        let clients: [ChildProcess]
    }

    /// Starts `fedsim coordinator` on tcp://127.0.0.1:* (port 0: it picks a free port and
    /// prints the endpoint it bound) with its results in `output`, waits for that endpoint, then
    /// starts one `fedsim client` process per id in `clientIds`; all with `settings`. Logs:
    /// `<logPrefix>coordinator.log` and `<logPrefix>client-<id>.log`. `environment` is the
    /// coordinator's (for the test hooks).
    func startFederation(scenario: String, output: String, clientIds: [Int], settings: [String],
                         logPrefix: String = "", coordinatorOptions: [String] = [],
                         environment: [String: String] = [:]) throws -> Federation {
        let log = logPrefix + "coordinator.log"
        let coordinator = try start(["coordinator", "--scenario", scenario, "--bind", "tcp://127.0.0.1:*",
                                     "--output", path(output), "--progress", "plain"] + coordinatorOptions + settings,
                                    log: log, environment: environment)
        guard let endpoint = try coordinatorEndpoint(log: log, timeout: 120) else {
            throw HarnessError("the coordinator printed no endpoint within 120 s: \(text(log))")
        }
        let clients = try clientIds.map { id in
            try start(["client", "--scenario", scenario, "--connect", endpoint, "--clients", String(id)] + settings,
                      log: "\(logPrefix)client-\(id).log")
        }
        return Federation(coordinator: coordinator, endpoint: endpoint, clients: clients)
    }

    /// Waits up to `timeout` seconds for `p` to end and returns its exit code (128 + signal
    /// when killed); kills it and fails when it does not end.
    func wait(_ p: ChildProcess, timeout: Double, file: StaticString = #filePath, line: UInt = #line) -> Int32? {
        do {
            if try ProcessWatch.waitForExit(p.pid, deadline: Deadline(seconds: timeout)) { return p.waitForExit() }
            XCTFail("fedsim \(p.arguments.joined(separator: " ")) did not end within \(timeout) s", file: file, line: line)
        } catch {
            XCTFail("waiting for fedsim \(p.arguments.joined(separator: " ")): \(error)", file: file, line: line)
        }
        p.terminate(grace: 1)
        return nil
    }

    /// Waits up to `timeout` seconds for `p` to stop itself at a test hook (the environment
    /// variable `FEDSIM_TEST_STOP_AFTER_ROUND` or `FEDSIM_TEST_STOP_AFTER_CELLS`; it then
    /// waits, stopped, for the test to continue it with SIGCONT or to kill it). Fails, and
    /// kills it, when it ends or does not stop in time.
    @discardableResult
    func waitUntilStopped(_ p: ChildProcess, timeout: Double, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let outcome = ProcessWatch.waitForStop(p.pid, deadline: Deadline(seconds: timeout))
        guard outcome == .stopped else {
            XCTFail("fedsim \(p.arguments.joined(separator: " ")) did not stop at its test hook (\(outcome))",
                    file: file, line: line)
            p.terminate(grace: 1)
            return false
        }
        return true
    }

    /// Runs `fedsim args...` to completion; returns its exit code and output.
    func run(_ args: [String], log: String, timeout: Double = 240,
             environment: [String: String] = [:]) throws -> (Int32?, String) {
        let p = try start(args, log: log, environment: environment)
        let code = wait(p, timeout: timeout)
        return (code, text(log))
    }

    /// The endpoint a hand-started coordinator reports in `log` ("listening on tcp://...;"),
    /// waiting up to `timeout` seconds for that line.
    func coordinatorEndpoint(log: String, timeout: Double = 60) throws -> String? {
        func endpoint(_ text: String) -> String? {
            guard let r = text.range(of: "listening on "), let end = text[r.upperBound...].firstIndex(of: ";") else { return nil }
            return String(text[r.upperBound..<end])
        }
        return try waitForText(log, timeout: timeout) { endpoint($0) != nil }.flatMap(endpoint)
    }

    /// Waits up to `timeout` seconds until the text of the file `relative` satisfies
    /// `condition` (woken by every change to it); returns that text, or nil at the deadline.
    func waitForText(_ relative: String, timeout: Double, until condition: (String) -> Bool) throws -> String? {
        try FileWatch.wait(for: path(relative), deadline: Deadline(seconds: timeout), until: condition)
    }

    /// Waits up to `timeout` seconds until the rows of the CSV file `relative` satisfy
    /// `condition`; true when they do.
    func waitForRows(_ relative: String, timeout: Double, until condition: ([[String: String]]) -> Bool) throws -> Bool {
        try waitForText(relative, timeout: timeout) { condition(FedsimHarness.rows(ofCSV: $0)) } != nil
    }

    func text(_ relative: String) -> String {
        (try? String(contentsOfFile: path(relative), encoding: .utf8)) ?? ""
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    /// Rows of a CSV file as dictionaries.
    func csv(_ relative: String) -> [[String: String]] {
        FedsimHarness.rows(ofCSV: text(relative))
    }

    private static func rows(ofCSV text: String) -> [[String: String]] {
        let lines = text.split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else { return [] }
        return lines.dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
    }

    /// Rows of a run's rounds.csv without the timing columns (`*_ms`), which differ between
    /// otherwise identical runs.
    func roundsWithoutTimings(_ relative: String) -> [[String: String]] {
        csv(relative).map { $0.filter { !$0.key.hasSuffix("_ms") } }
    }

    func json(_ relative: String) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path(relative)),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return obj
    }

    /// Pids of live processes whose command line mentions this harness's folder.
    func processesMentioningRoot() -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var found: [pid_t] = []
        for e in entries {
            guard let pid = pid_t(e), pid != getpid(),
                  let raw = FileManager.default.contents(atPath: "/proc/\(e)/cmdline") else { continue }
            let cmd = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            if cmd.contains(root) && !isZombie(pid) { found.append(pid) }
        }
        return found
    }

    /// Waits up to `timeout` for every process mentioning the folder to end (one pidfd wait
    /// after another, then a fresh look); returns those left.
    func waitForNoProcesses(timeout: Double) -> [pid_t] {
        let deadline = Deadline(seconds: timeout)
        var left = processesMentioningRoot()
        while let pid = left.first {
            guard (try? ProcessWatch.waitForExit(pid, deadline: deadline)) == true else { break }
            left = processesMentioningRoot()
        }
        return left
    }

    private func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state == "Z" || state == "X"
    }

    private func killStragglers() {
        for pid in processesMentioningRoot() { kill(pid, SIGKILL) }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
