#if canImport(Glibc)
import Glibc
#endif
import CSupport

/// Turns SIGINT and SIGTERM into a flag that long loops poll, so that a run stops cleanly:
/// children are stopped and the results written so far stay valid.
public enum SignalTrap {
    nonisolated(unsafe) private static var caught: sig_atomic_t = 0

    /// Installs the handlers (idempotent). Blocking calls such as zmq_poll return EINTR when a
    /// signal arrives; loops check `interrupted` then.
    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { sig in SignalTrap.caught = sig }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0 // no SA_RESTART: blocking calls return EINTR
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// The signal that was caught (SIGINT or SIGTERM), or nil.
    public static var interrupted: Int32? {
        caught == 0 ? nil : caught
    }

    /// Makes this process receive `sig` when its parent dies, and exits now if the parent
    /// `expectedParent` is already gone (the race between spawn and prctl).
    public static func dieWithParent(_ expectedParent: pid_t, signal sig: Int32 = SIGTERM) {
        _ = fedsim_set_parent_death_signal(sig)
        if getppid() != expectedParent { exit(0) }
    }
}
