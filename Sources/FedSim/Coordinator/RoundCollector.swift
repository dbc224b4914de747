/// Collects the updates of one round and decides, for each, whether it may be aggregated.
///
/// Pure bookkeeping (no sockets), so each rejection rule is tested directly. An update is
/// accepted only if it is for the current round, from a sampled client the sender hosts,
/// the first from that client this round, of the model's length, and claiming the samples
/// of its shard (`shardSizes`). Everything else is
/// counted by reason and dropped.
struct RoundCollector {
    struct Accepted {
        var client: Int
        var samples: Int
        var trainLoss: Float
        var delta: [Float]
        /// The worker's state when it is not `delta` (see `WorkerStates`).
        var state: [Float]? = nil
    }

    let round: Int
    let sampled: Set<Int>
    let parameterCount: Int
    private(set) var accepted: [Int: Accepted] = [:]
    private(set) var rejections: [String: Int] = [:]

    /// Each client's shard size, the only `samples` its update may claim (nil: not checked).
    let shardSizes: [Int]?

    init(round: Int, sampled: [Int], parameterCount: Int, shardSizes: [Int]? = nil) {
        self.round = round
        self.sampled = Set(sampled)
        self.parameterCount = parameterCount
        self.shardSizes = shardSizes
    }

    /// Why an update is refused (the reason code counted in rounds.csv).
    enum Verdict: Equatable {
        case accept
        case reject(String)
    }

    /// Checks one update; `senderOwnsClient` says whether the sending process registered it.
    mutating func offer(round r: Int, client: Int, samples: Int, trainLoss: Float, delta: [Float],
                        state: [Float]? = nil, senderOwnsClient: Bool) -> Verdict {
        let verdict: Verdict
        if r < round { verdict = .reject("stale_round") }
        else if r > round { verdict = .reject("future_round") }
        else if !senderOwnsClient { verdict = .reject("not_owner") }
        else if !sampled.contains(client) { verdict = .reject("not_sampled") }
        else if accepted[client] != nil { verdict = .reject("duplicate") }
        else if delta.count != parameterCount || (state.map { $0.count != parameterCount } ?? false) {
            verdict = .reject("wrong_size")
        }
        else if samples <= 0 { verdict = .reject("no_samples") }
        else if let sizes = shardSizes, client < sizes.count, samples != sizes[client] {
            // The aggregation weight is the shard the client was assigned, not what it claims.
            verdict = .reject("wrong_samples")
        }
        else if !trainLoss.isFinite { verdict = .reject("non_finite") }
        else { verdict = .accept }
        switch verdict {
        case .accept:
            accepted[client] = Accepted(client: client, samples: samples, trainLoss: trainLoss, delta: delta, state: state)
        case let .reject(reason):
            reject(reason)
        }
        return verdict
    }

    /// Counts a message refused before it could be read as an update (decode errors and the like).
    mutating func reject(_ reason: String) {
        rejections[reason, default: 0] += 1
    }

    var rejectedCount: Int { rejections.values.reduce(0, +) }

    var isComplete: Bool { accepted.count == sampled.count }

    var missing: [Int] { sampled.subtracting(accepted.keys).sorted() }

    /// Accepted updates ordered by client id (several robust rules break ties by index).
    var orderedUpdates: [Accepted] { accepted.values.sorted { $0.client < $1.client } }
}
