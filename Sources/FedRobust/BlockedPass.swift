import CKernels

/// Splits a pass over column blocks between the cores, for the row kernels
/// (`RowCombination`, `RowNormKernels`).
///
/// The blocks (a fixed width per kernel, which depends on n only, never on the thread count)
/// are dealt out in contiguous ranges, a few per worker, on the kernels' thread pool
/// (`Parallel.run`).
/// Every block writes its own output columns and its own slot of per-block partial sums,
/// and partial sums are added afterwards in block order, so every result is the same
/// whatever the number of threads and whichever thread ran first.
enum BlockedPass {
    /// Below this many matrix values a pass runs on the calling thread: waking a second
    /// thread costs more than it saves (same threshold as `ColumnKernels.threadCount`).
    static let minParallelWork = 1 << 18

    /// Calls `body(range)` on disjoint contiguous ranges covering `0..<blocks`, on up to one
    /// thread per active core when `work` (values read) is large enough.
    static func run(blocks: Int, work: Int, _ body: (Range<Int>) -> Void) {
        guard blocks > 0 else { return }
        let workers = ColumnKernels.threadCount(work: work, blocks: blocks, maxThreads: 0)
        if workers == 1 {
            body(0..<blocks)
            return
        }
        // A few tasks per worker, taken dynamically: a helper that wakes late, or a core
        // busy with another process, then costs a fraction of the pass, not half of it.
        let tasks = min(blocks, workers * 4)
        Parallel.run(tasks) { t in body(blocks * t / tasks ..< blocks * (t + 1) / tasks) }
    }

    /// Sums per-block partials `partials[b * n + i]` over the blocks, in block order, into one
    /// value per row (Double, deterministic).
    static func sumPartials(_ partials: UnsafeBufferPointer<Double>, rows n: Int, blocks: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n)
        for b in 0..<blocks {
            for i in 0..<n { out[i] += partials[b * n + i] }
        }
        return out
    }
}

/// Fork-join on the kernels' thread pool (`fedsim_parallel_run`: helpers that spin briefly
/// between jobs, so that passes over a cached matrix do not pay a thread wake-up each).
enum Parallel {
    /// Calls `body(w)` for w in 0..<count, concurrently, and returns when all have returned.
    static func run(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            var job = Job(body: body)
            withUnsafeMutablePointer(to: &job) { p in
                fedsim_parallel_run(count, { ctx, w in
                    ctx!.assumingMemoryBound(to: Job.self).pointee.body(w)
                }, p)
            }
        }
    }

    private struct Job {
        let body: (Int) -> Void
    }
}

/// Wraps a value whose concurrent use is made safe by construction: the workers of
/// `BlockedPass.run` read shared inputs and write disjoint ranges of the outputs.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
