#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A child process started with posix_spawn, owned by exactly one value of this type.
///
/// The child's stdout and stderr go to a log file (or are inherited). `terminate()` sends
/// SIGTERM, waits a grace period, then SIGKILL; the process is always reaped, so nothing
/// we start outlives the run (children also set a parent-death signal themselves).
public final class ChildProcess {
    public let pid: pid_t
    public let arguments: [String]
    private(set) public var exitStatus: Int32?

    public struct SpawnError: Error, CustomStringConvertible {
        public let executable: String
        public let code: Int32
        public var description: String {
            "cannot start \(executable): \(String(cString: strerror(code))) (errno \(code))"
        }
    }

    /// Starts `executable` with `arguments` (argv[0] is added). `logPath`, when given, receives
    /// stdout and stderr (created or truncated).
    public init(executable: String, arguments: [String], logPath: String?, environment: [String: String] = [:]) throws {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        if let logPath {
            posix_spawn_file_actions_addopen(&fileActions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default signal dispositions in the child even if the parent ignores some.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let argv = [executable] + arguments
        let envStrings = env.map { "\($0.key)=\($0.value)" }

        var child: pid_t = 0
        let rc = withCStrings(argv) { cArgv in
            withCStrings(envStrings) { cEnv in
                posix_spawn(&child, executable, &fileActions, &attributes, cArgv, cEnv)
            }
        }
        guard rc == 0 else { throw SpawnError(executable: executable, code: rc) }
        pid = child
        self.arguments = arguments
    }

    deinit {
        if exitStatus == nil { terminate(grace: 0.5) }
    }

    /// Non-blocking check: true while the child runs (reaps it when it has ended).
    public var isRunning: Bool {
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { exitStatus = ChildProcess.decode(status); return false }
        if r < 0 { exitStatus = -1; return false }
        return true
    }

    /// Sends a signal (ignored when the child already ended).
    public func signal(_ sig: Int32) {
        if isRunning { kill(pid, sig) }
    }

    /// SIGTERM, then up to `grace` seconds of waiting, then SIGKILL and reap.
    public func terminate(grace: Double = 3) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let until = Date().addingTimeInterval(grace)
        while isRunning && Date() < until { usleep(20_000) }
        if isRunning {
            kill(pid, SIGKILL)
            _ = waitForExit()
        }
    }

    /// Blocks until the child ends; returns its exit code (128 + signal when killed).
    @discardableResult
    public func waitForExit() -> Int32 {
        if let s = exitStatus { return s }
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, 0)
            if r == pid { break }
            if r < 0 && errno != EINTR { exitStatus = -1; return -1 }
        }
        let code = ChildProcess.decode(status)
        exitStatus = code
        return code
    }

    /// Returns as soon as one of `children` has ended (it is reaped, `exitStatus` set), or after
    /// `seconds`, checking every 5 ms. True when one has ended. A loop that starts the next child
    /// when one ends waits no longer than that, where a fixed sleep would leave the slot idle.
    @discardableResult
    public static func waitForAny(_ children: [ChildProcess], upTo seconds: Double) -> Bool {
        let until = Date().addingTimeInterval(seconds)
        while true {
            if children.contains(where: { !$0.isRunning }) { return true }
            if Date() >= until { return false }
            usleep(5_000)
        }
    }

    private static func decode(_ status: Int32) -> Int32 {
        let sig = status & 0x7f
        if sig == 0 { return (status >> 8) & 0xff }
        return 128 + sig
    }
}

/// Calls `body` with a NULL-terminated C array of C strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
