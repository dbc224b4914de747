import CTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Blocking waits on processes with a deadline: until a process ends (pidfd + poll, for any
/// process, not only a child) or until a child stops (waitid). Nothing is reaped here; the
/// `ChildProcess` that owns a child reaps it.
enum ProcessWatch {
    /// Waits until process `pid` has ended; true when it has (or never existed), false at the deadline.
    static func waitForExit(_ pid: pid_t, deadline: Deadline) throws -> Bool {
        let fd = fedtest_pidfd_open(pid)
        if fd < 0 {
            if errno == ESRCH { return true }
            throw HarnessError("pidfd_open(\(pid)): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        return try waitReadable(fd, deadline: deadline)
    }

    /// How a wait for a stop ended.
    enum StopOutcome: Equatable {
        case stopped
        case ended
        case timedOut
    }

    /// Waits until child `pid` is stopped by a signal (the test hooks' SIGSTOP) or ends.
    ///
    /// waitid blocks, so it runs on a thread of its own; at the deadline the child is killed
    /// (SIGKILL), which ends that wait, so the thread never outlives the call. With WNOWAIT the
    /// child stays waitable for its owner.
    static func waitForStop(_ pid: pid_t, deadline: Deadline) -> StopOutcome {
        final class Result: @unchecked Sendable { var code: Int32 = -1 }   // written before `done` is signalled
        let result = Result()
        let done = DispatchSemaphore(value: 0)
        Thread {
            var info = siginfo_t()
            var r: Int32
            repeat { r = waitid(P_PID, id_t(pid), &info, WSTOPPED | WEXITED | WNOWAIT) } while r < 0 && errno == EINTR
            result.code = r == 0 ? info.si_code : -1
            done.signal()
        }.start()
        if done.wait(timeout: deadline.dispatchTime) == .timedOut {
            kill(pid, SIGKILL)
            done.wait()
            return .timedOut
        }
        return result.code == CLD_STOPPED ? .stopped : .ended
    }

    /// Blocks in poll() until `fd` is readable (true) or the deadline passes (false).
    static func waitReadable(_ fd: Int32, deadline: Deadline) throws -> Bool {
        while true {
            var item = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&item, 1, deadline.remainingMilliseconds)
            if r > 0 { return true }
            if r == 0 { return false }
            guard errno == EINTR else { throw HarnessError("poll: \(String(cString: strerror(errno)))") }
        }
    }
}
