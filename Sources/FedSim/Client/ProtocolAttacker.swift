import FedAttacks
import FedCore
import FedWire

/// Protocol-level attacks: a malicious client that breaks the wire rules instead of (or as
/// well as) poisoning its update. Each is something the coordinator must refuse and count
/// (docs/PROTOCOL.md); none may ever be aggregated.
enum ProtocolAttacker {
    /// The protocol attacks, as the wire implements them here.
    enum Behaviour: String, CaseIterable {
        case replay, stale, idClaim = "id-claim", sybil, malformed, oversized, nan

        var summary: String {
            switch self {
            case .replay: return "send the update again, several times, and the previous round's one (refused: duplicate, stale_round)"
            case .stale: return "send the previous round's update in place of this round's (refused: stale_round)"
            case .idClaim: return "send the update under an honest client's id (refused: not_owner)"
            case .sybil: return "join under extra identities claiming taken or unknown ids (refused: id_taken, unknown_client)"
            case .malformed: return "send a copy with a broken magic and a truncated one (refused: bad_magic, body_size)"
            case .oversized: return "send a delta longer than the model (refused: wrong_size)"
            case .nan: return "send a delta holding NaN and +Inf (refused: non_finite)"
            }
        }

        /// The one count parameter of replay (copies) and sybil (identities).
        var countParameter: Parameter? {
            switch self {
            case .replay: return Parameter("copies", .integer(.closed(1, 1000)), default: .int(3), doc: "replayed copies per round")
            case .sybil: return Parameter("identities", .integer(.closed(1, 1000)), default: .int(5), doc: "extra identities opened")
            default: return nil
            }
        }
    }

    /// Every protocol attack's registry entry.
    static let descriptors: [AttackDescriptor] = Behaviour.allCases.map { b in
        AttackDescriptor(name: b.rawValue, summary: b.summary, parameters: b.countParameter.map { [$0] } ?? [], role: .wire)
    }

    /// The count a group's protocol attack uses (copies, identities; 1 for the others).
    static func count(_ values: ParameterValues, _ behaviour: Behaviour) -> Int {
        behaviour.countParameter.map { values.int($0.key) } ?? 1
    }

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
    static func messages(_ kind: Behaviour, count: Int, honest: Message, previous: Message?,
                         victim: Int) -> [[[UInt8]]] {
        guard case let .update(round, client, samples, loss, delta, _) = honest else { return [] }
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
        case .sybil:
            return [MessageCodec.encode(honest)]
        }
    }

    /// An UPDATE encoded as-is (the codec's encoder does not validate, so NaN passes through).
    private static func encodeUnchecked(round: UInt32, client: UInt32, samples: UInt32, loss: Float, delta: [Float]) -> [[UInt8]] {
        MessageCodec.encode(.update(round: round, clientId: client, samples: samples, trainLoss: loss, delta: delta))
    }
}
