#if canImport(Glibc)
import Glibc
#endif

/// Test hooks: environment variables that make a process stop itself (SIGSTOP) at an exact
/// point, so that an end-to-end test can kill or continue it there instead of racing it
/// (Tests/EndToEndTests). Not for users; each variable is read in exactly one place.
///
/// - `FEDSIM_TEST_STOP_AFTER_ROUND=k`: the coordinator stops right after the checkpoint of
///   round k is written (`RunResults.checkpoint`).
/// - `FEDSIM_TEST_STOP_AFTER_CELLS=k`: `fedsim compare` stops right after the k-th cell it
///   runs to the end is written to compare.csv, before it starts another (`CompareRunner.run`;
///   cells found complete on disk do not count).
enum TestHook {
    static func stopAfterRound(_ round: Int) {
        stop(if: "FEDSIM_TEST_STOP_AFTER_ROUND", is: round)
    }

    static func stopAfterCells(_ finished: Int) {
        stop(if: "FEDSIM_TEST_STOP_AFTER_CELLS", is: finished)
    }

    private static func stop(if variable: String, is value: Int) {
        guard let raw = getenv(variable), Int(String(cString: raw)) == value else { return }
        kill(getpid(), SIGSTOP)
    }
}
