import Foundation

/// The time an `EventLoop` runs on: deadlines, heartbeats, straggler releases and liveness
/// are all measured on it, so a test can replace it and never sleep.
public protocol LoopClock: AnyObject {
    /// The current time. Only differences matter to the loops.
    var now: Date { get }
}

/// The wall clock (`Date()`), what every run uses (the same time the loops used before the
/// transport seam, so deadlines and liveness behave as they did).
public final class SystemClock: LoopClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that moves only when told: `advance(by:)` by a test, or a `MemoryPoller` when the
/// loop waits with nothing to do (the wait takes exactly its timeout, however fast the machine).
public final class ManualClock: LoopClock {
    public private(set) var now: Date
    /// Time 0 of a test; `elapsed` counts from it.
    public let start: Date

    public init(start: Date = Date(timeIntervalSinceReferenceDate: 0)) {
        self.start = start
        now = start
    }

    /// Seconds since `start`.
    public var elapsed: Double { now.timeIntervalSince(start) }

    /// Moves the clock forward by `seconds` (>= 0).
    public func advance(by seconds: Double) {
        precondition(seconds >= 0, "ManualClock: cannot go back \(-seconds) s")
        now = now.addingTimeInterval(seconds)
    }
}
