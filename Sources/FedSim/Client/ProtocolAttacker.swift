import FedCore
import FedWire

/// Protocol-level attacks: a malicious client that breaks the wire rules instead of (or as
/// well as) poisoning its update. Each is something the coordinator must refuse and count
/// (docs/PROTOCOL.md); none may ever be aggregated.
enum ProtocolAttacker {
    /// The messages a protocol attacker sends to the coordinator in a round, given its honest
    /// update, its update of the round before (if any) and the id of an honest client.
    /// - replay: the honest update, then `count` copies of it (`duplicate`) and the previous
    ///   round's update again (`stale_round`);
    /// - stale: the previous round's update in place of this round's (`stale_round`);
    /// - id-claim: the honest update sent under the honest client's id (`not_owner`);
    /// - sybil: the honest update (the extra identities are opened by the runtime);
    /// - malformed: a copy with a broken magic and a truncated one (`bad_magic`, `body_size`);
    /// - oversized: a delta a little longer than the model (`wrong_size`);
    /// - nan: a delta holding NaN and +Inf (`non_finite`).
    static func messages(_ kind: AttackKind, count: Int, honest: Message, previous: Message?,
                         victim: Int) -> [[[UInt8]]] {
        guard case let .update(round, client, samples, loss, delta) = honest else { return [] }
        switch kind {
        case .replay:
            let once = MessageCodec.encode(honest)
            return [once] + Array(repeating: once, count: count) + (previous.map { [MessageCodec.encode($0)] } ?? [])
        case .stale:
            return previous.map { [MessageCodec.encode($0)] } ?? []
        case .idClaim:
            return [MessageCodec.encode(.update(round: round, clientId: UInt32(victim), samples: samples,
                                                trainLoss: loss, delta: delta))]
        case .malformed:
            var broken = MessageCodec.encode(honest)
            broken[0].replaceSubrange(0..<4, with: Array("XXXX".utf8))
            var truncated = MessageCodec.encode(honest)
            if truncated.count > 1 { truncated[1] = Array(truncated[1].prefix(truncated[1].count / 2)) }
            return [broken, truncated]
        case .oversized:
            return [MessageCodec.encode(.update(round: round, clientId: client, samples: samples, trainLoss: loss,
                                                delta: delta + [Float](repeating: 0, count: 8)))]
        case .nan:
            var poisoned = delta
            if !poisoned.isEmpty { poisoned[0] = .nan }
            if poisoned.count > 1 { poisoned[1] = .infinity }
            return [encodeUnchecked(round: round, client: client, samples: samples, loss: loss, delta: poisoned)]
        default:
            return [MessageCodec.encode(honest)]
        }
    }

    /// An UPDATE encoded as-is (the codec's encoder does not validate, so NaN passes through).
    private static func encodeUnchecked(round: UInt32, client: UInt32, samples: UInt32, loss: Float, delta: [Float]) -> [[UInt8]] {
        MessageCodec.encode(.update(round: round, clientId: client, samples: samples, trainLoss: loss, delta: delta))
    }
}
