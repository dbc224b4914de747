import CKernels
import FedCore

/// The memory floor of an aggregation: one threaded pass that only reads the n x d matrix
/// (and sums it, so the reads cannot be skipped). Every rule that must look at every update
/// value (FedAvg, the coordinate-wise rules, the Gram matrix) takes at least this long;
/// `fedsim bench aggregators` prints it next to the rules so that a memory-bound rule can be
/// read against what the machine's memory allows (docs/BENCHMARKS.md).
public enum ReadPass {
    /// Values per block (256 KiB of Floats).
    static let blockWidth = 1 << 16

    /// Σ of all values, in Double (per-block Float sums in 16 lanes, blocks added in order).
    public static func sum(_ matrix: UpdateMatrix) -> Double {
        let count = matrix.values.count
        let blocks = (count + blockWidth - 1) / blockWidth
        guard blocks > 0 else { return 0 }
        var partials = [Double](repeating: 0, count: blocks)
        matrix.values.withUnsafeBufferPointer { xb in
            partials.withUnsafeMutableBufferPointer { pb in
                let job = UncheckedSendable((x: xb.baseAddress!, p: pb.baseAddress!))
                BlockedPass.run(blocks: blocks, work: count) { range in
                    for b in range {
                        let lo = b * blockWidth
                        job.value.p[b] = fedsim_read_sum(job.value.x + lo, min(blockWidth, count - lo))
                    }
                }
            }
        }
        return partials.reduce(0, +)
    }
}
