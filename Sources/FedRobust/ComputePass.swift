import CKernels

/// The compute floor of an aggregation: independent fused multiply-adds in registers on every
/// core, no memory traffic (`fedsim_peak_fma`). A rule whose cost is the Gram matrix (Krum,
/// Multi-Krum, Bulyan's selection, FoolsGold, FLAME, DnC) needs at least n(n+1)/2 · d
/// multiply-adds, so it cannot run faster than that count divided by this rate, whatever the
/// implementation; `fedsim bench aggregators` prints it next to the memory floor (ReadPass) so
/// a ratio against numpy can be read against what the machine allows (docs/BENCHMARKS.md).
public enum ComputePass {
    /// Iterations per task: 12 × 8 × 2²⁰ ≈ 10⁸ multiply-adds with AVX2, tens of milliseconds.
    public static let defaultIterations = 1 << 20

    /// Runs `tasks` tasks of `iterations` each on the kernels' pool (the calling thread and one
    /// helper per other core, taking tasks as they finish; one task runs on the calling thread
    /// alone) and returns the multiply-adds done and a checksum. `isa` nil: the selected version.
    public static func run(tasks: Int, iterations: Int = defaultIterations,
                           isa: Int32? = nil) -> (multiplyAdds: Double, checksum: Double) {
        let isa = isa ?? KernelISA.selectedCode
        precondition(tasks >= 1 && iterations >= 1, "ComputePass: tasks \(tasks) and iterations \(iterations) must be >= 1")
        var sums = [Double](repeating: 0, count: tasks)
        sums.withUnsafeMutableBufferPointer { sb in
            let out = UncheckedSendable(sb.baseAddress!)
            Parallel.run(tasks) { t in out.value[t] = fedsim_peak_fma(isa, iterations) }
        }
        let perIteration = Double(fedsim_peak_fmas_per_iteration(isa))
        return (Double(tasks) * Double(iterations) * perIteration, sums.reduce(0, +))
    }

    /// Float multiply-adds of the upper-triangle Gram matrix of an n x d matrix (diagonal
    /// included): n(n+1)/2 · d.
    public static func gramMultiplyAdds(n: Int, d: Int) -> Double {
        Double(n) * Double(n + 1) / 2 * Double(d)
    }
}
