/// The time left of a comparison, as an estimate that does not grow while cells run.
///
/// At each finished cell the estimate is set from the pace so far (elapsed time per finished
/// cell, times the cells left); between two finished cells it counts down with the clock and
/// stops at zero. (The old estimate, recomputed from a fixed count of finished cells at every
/// redraw, grew while the cells ran.) Before the first cell finishes there is no estimate.
public struct CompareETA: Sendable, Equatable {
    private var estimate: Double?
    private var at = 0.0

    public init() {}

    /// A cell finished: `done` of `total` have, `elapsed` seconds since the comparison began.
    public mutating func cellFinished(done: Int, of total: Int, elapsed: Double) {
        guard done > 0 else { return }
        estimate = elapsed / Double(done) * Double(max(0, total - done))
        at = elapsed
    }

    /// Seconds left at `elapsed`, or nil before the first finished cell.
    public func remaining(elapsed: Double) -> Double? {
        estimate.map { max(0, $0 - max(0, elapsed - at)) }
    }

    /// The live line of a comparison: finished cells, a bar, the ETA, the running cells with
    /// their rounds; the bar goes first when the terminal is narrow, then the running cells.
    public static func line(done: Int, of total: Int, eta: Double?, running: [String]) -> ProgressLine {
        ProgressLine([.init("cells \(done)/\(total)", priority: ProgressLine.Priority.essential),
                      .init(ProgressLine.bar(done: done, total: total), priority: ProgressLine.Priority.bar),
                      .init("eta " + (eta.map(ProgressLine.clock) ?? "-"), priority: ProgressLine.Priority.eta),
                      .init("running: " + running.joined(separator: ", "), priority: ProgressLine.Priority.elapsed)])
    }
}
