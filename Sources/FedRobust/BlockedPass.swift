import Dispatch

/// Splits a pass over column blocks between the cores, for the row kernels
/// (`RowCombination`, `RowNormKernels`).
///
/// The blocks (a fixed width per kernel, which depends on n only, never on the thread count)
/// are dealt out in contiguous ranges, one per worker, with `DispatchQueue.concurrentPerform`.
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
        withoutActuallyEscaping(body) { body in
            let job = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                job.value(blocks * w / workers ..< blocks * (w + 1) / workers)
            }
        }
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

/// Wraps a value whose concurrent use is made safe by construction: the workers of
/// `BlockedPass.run` read shared inputs and write disjoint ranges of the outputs.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
