import FedCore

/// The pre-aggregation steps of a defence, in order, composed (ByzFL's list of
/// pre-aggregators): each step's output rows are the next one's input, the last one's go to
/// the rule. The chain keeps the map from the rule's rows back to the clients (the
/// composition of the steps' `RowMixing`s), so that what the rule decides about its rows
/// becomes a decision about each client (`Prepared.clientDecisions`).
public struct PreAggregationChain: Sendable {
    public let steps: [any PreAggregationStep]

    public init(_ steps: [any PreAggregationStep]) {
        self.steps = steps
    }

    /// True when some step combines several clients' updates into one row.
    public var mixesRows: Bool { steps.contains { $0.mixesRows } }

    /// The number of rows the rule sees when `n` updates arrive.
    public func outputRows(n: Int) -> Int {
        steps.reduce(n) { $1.outputRows(n: $0) }
    }

    /// Throws when some step cannot run on the rows it would get from `n` updates.
    public func check(n: Int) throws(AggregatorError) {
        var rows = n
        for step in steps {
            try step.check(n: rows)
            rows = step.outputRows(n: rows)
        }
    }

    /// The rows the rule sees, and how to map its decisions back to the clients.
    public struct Prepared: Sendable {
        /// The rule's input.
        public var updates: UpdateMatrix
        /// Client id of each of the rule's rows (the smallest id among the clients a mixed row
        /// stands for).
        public var clientIds: [Int]
        /// Weight of each of the rule's rows (the sum of the sample counts of the clients the
        /// row stands for).
        public var weights: [Double]
        /// Per client (input row), whether some step scaled down a row standing for it.
        public var clipped: [Bool]
        /// From the rule's rows to the clients; nil when no step mixed rows.
        public var mixing: RowMixing?
        /// Every step's figures.
        public var figures: [String: Double]

        /// The rule's decisions about its rows as decisions about the clients (`RowMixing`).
        public func clientDecisions(_ decisions: [ClientDecision]) -> [ClientDecision] {
            mixing?.inputDecisions(decisions) ?? decisions
        }
    }

    /// Runs the steps on the round's updates (one row per client).
    ///
    /// - Parameter rng: the round's pre-aggregation generator; step k draws from
    ///   `rng.derive(step.name)`.
    public func apply(_ updates: UpdateMatrix, clientIds: [Int], weights: [Double], round: Int,
                      rng: SeededRNG) throws -> Prepared {
        let n = updates.rows
        var m = updates
        var clipped = [Bool](repeating: false, count: n)
        var mixing: RowMixing?
        var representative = Array(0..<n)
        var figures: [String: Double] = [:]
        for step in steps {
            try step.check(n: m.rows)
            let out = try step.apply(m, context: PreAggregationContext(round: round, rng: rng.derive(step.name)))
            precondition(out.clipped.count == m.rows, "\(step.name): \(out.clipped.count) clipped flags for \(m.rows) rows")
            for i in 0..<n where out.clipped[representative[i]] { clipped[i] = true }
            if let next = out.mixing {
                precondition(next.inputs == m.rows && next.outputs == out.updates.rows,
                             "\(step.name): mixing \(next.inputs) -> \(next.outputs) for \(m.rows) -> \(out.updates.rows) rows")
                mixing = (mixing ?? .identity(n)).then(next)
                representative = representative.map { next.representative[$0] }
            } else {
                precondition(out.updates.rows == m.rows, "\(step.name) changed the row count without a mixing map")
            }
            figures.merge(out.figures) { $1 }
            m = out.updates
        }
        return Prepared(updates: m, clientIds: mixing?.outputIds(clientIds) ?? clientIds,
                        weights: mixing?.outputWeights(weights) ?? weights, clipped: clipped, mixing: mixing,
                        figures: figures)
    }
}
