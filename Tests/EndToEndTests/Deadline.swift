import Dispatch

/// A point on the monotonic clock, `seconds` from now: the generous upper bound a wait gives
/// up at. It bounds a wait for failure; the wait itself blocks on the event (poll, waitid).
struct Deadline {
    private let end: UInt64

    init(seconds: Double) {
        end = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
    }

    var hasPassed: Bool { DispatchTime.now().uptimeNanoseconds >= end }

    /// What is left, in whole milliseconds rounded up (0 once passed), for poll().
    var remainingMilliseconds: Int32 {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now < end else { return 0 }
        return Int32(clamping: (end - now + 999_999) / 1_000_000)
    }

    /// What is left, for DispatchSemaphore.wait(timeout:).
    var dispatchTime: DispatchTime { DispatchTime(uptimeNanoseconds: end) }
}
