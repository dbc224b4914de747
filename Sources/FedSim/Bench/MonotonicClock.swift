#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds on `clock_gettime(CLOCK_MONOTONIC)`: never jumps with wall-clock changes, so
/// differences are durations. Only differences are meaningful.
enum MonotonicClock {
    static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// The clock's name, for the benchmark header.
    static let name = "CLOCK_MONOTONIC"
}
