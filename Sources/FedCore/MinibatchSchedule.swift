/// Which local samples a FedSGD worker's gradient uses at each step: epochs of the local data
/// drawn without replacement, every epoch in its own seeded order.
///
/// For `count = n` samples and batch size `B` an epoch has `nb = ceil(n / B)` batches. Step
/// `t` (0-based; fedsim uses `t = round - 1`) lies in epoch `e = t / nb` at position
/// `k = t mod nb`. The order of epoch `e` is a Fisher–Yates shuffle of `0..<n` by
/// `rng.derive("epoch", e)`; the batch is `order[k*B ..< min((k+1)*B, n)]`, so the last batch
/// of an epoch is smaller when `B` does not divide `n` (PyTorch's `DataLoader` with
/// `shuffle=True, drop_last=False`, which the worker loop of Karimireddy, He & Jaggi, ICLR 2022
/// iterates). Within one epoch no sample is drawn twice; every sample is drawn once per epoch.
///
/// The schedule holds no state: the batch of any step follows from the generator's key and
/// `t`, so a restarted process or a resumed run draws the same batches.
public struct MinibatchSchedule: Sendable, Equatable {
    /// Local samples (`n`, >= 1).
    public let count: Int
    /// Samples per batch (`B`, >= 1).
    public let batchSize: Int

    public init(count: Int, batchSize: Int) {
        precondition(count >= 1 && batchSize >= 1,
                     "MinibatchSchedule: needs count >= 1 and batchSize >= 1; got \(count), \(batchSize)")
        self.count = count
        self.batchSize = batchSize
    }

    /// `ceil(count / batchSize)`.
    public var batchesPerEpoch: Int { (count + batchSize - 1) / batchSize }

    /// The sample indices of step `t` (>= 0), in the epoch's shuffled order.
    public func indices(step t: Int, rng: SeededRNG) -> [Int] {
        precondition(t >= 0, "MinibatchSchedule: step must be >= 0; got \(t)")
        let nb = batchesPerEpoch
        let epoch = t / nb, k = t % nb
        var order = Array(0..<count)
        var epochRNG = rng.derive("epoch", epoch)
        epochRNG.shuffle(&order)
        let first = k * batchSize
        return Array(order[first..<min(first + batchSize, count)])
    }
}
