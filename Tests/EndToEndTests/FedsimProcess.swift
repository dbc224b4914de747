import FedSim
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Runs the real `fedsim` executable (built next to the test bundle) as child processes, and
/// makes sure none of them, nor their children, outlives the test, even when it fails.
final class FedsimHarness {
    let root: String
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
        var template = Array("/tmp/fedsim-test-XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw XCTSkip("cannot create a temporary folder") }
        root = String(cString: dir)
        guard FileManager.default.isExecutableFile(atPath: FedsimHarness.binary) else {
            throw HarnessError("fedsim executable not found at \(FedsimHarness.binary); build it first (scripts/test does)")
        }
    }

    /// Stops everything this harness started and removes its folder.
    func tearDown() {
        for p in started { p.terminate(grace: 1) }
        killStragglers()
        try? FileManager.default.removeItem(atPath: root)
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

    /// Waits up to `timeout` seconds for `p` to end; kills it and fails when it does not.
    func wait(_ p: ChildProcess, timeout: Double, file: StaticString = #filePath, line: UInt = #line) -> Int32? {
        let until = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < until { usleep(50_000) }
        if p.isRunning {
            XCTFail("fedsim \(p.arguments.joined(separator: " ")) did not end within \(timeout) s", file: file, line: line)
            p.terminate(grace: 1)
            return nil
        }
        return p.exitStatus
    }

    /// Runs `fedsim args...` to completion; returns its exit code and output.
    func run(_ args: [String], log: String, timeout: Double = 240,
             environment: [String: String] = [:]) throws -> (Int32?, String) {
        let p = try start(args, log: log, environment: environment)
        let code = wait(p, timeout: timeout)
        return (code, text(log))
    }

    /// The endpoint a hand-started coordinator reports in `log` ("listening on tcp://...;"),
    /// waiting up to `timeout` seconds for it.
    func coordinatorEndpoint(log: String, timeout: Double = 60) -> String? {
        let until = Date().addingTimeInterval(timeout)
        while Date() < until {
            let content = text(log)
            if let r = content.range(of: "listening on "), let end = content[r.upperBound...].firstIndex(of: ";") {
                return String(content[r.upperBound..<end])
            }
            usleep(20_000)
        }
        return nil
    }

    func text(_ relative: String) -> String {
        (try? String(contentsOfFile: path(relative), encoding: .utf8)) ?? ""
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    /// Rows of a CSV file as dictionaries.
    func csv(_ relative: String) -> [[String: String]] {
        let lines = text(relative).split(separator: "\n").map(String.init)
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

    /// Waits up to `timeout` for every process mentioning the folder to end; returns those left.
    func waitForNoProcesses(timeout: Double) -> [pid_t] {
        let until = Date().addingTimeInterval(timeout)
        var left = processesMentioningRoot()
        while !left.isEmpty && Date() < until {
            usleep(100_000)
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
