import FedCore
import FedWire

/// What the fuzzer knows about the federation it attacks: enough to build messages that get
/// past the first checks (right fingerprint, right tensor length) and then break one rule.
public struct FuzzTarget: Sendable, Equatable {
    /// The scenario fingerprint (HELLO aux).
    public var fingerprint: UInt64
    /// Model length: every UPDATE delta, TASK model and WELCOME parameterCount.
    public var parameterCount: Int
    /// Logical clients of the federation (ids 0..<clients).
    public var clients: Int
    /// The coordinator's `ZMQ_MAXMSGSIZE` (per frame): 32 + 4 × max(parameterCount, clients)
    /// + 64 bytes, `MessageSizeLimit.forUpdates` (FedWire), what the coordinator's ROUTER
    /// sets. A larger frame drops the connection.
    public var maxFrameBytes: Int

    public init(fingerprint: UInt64, parameterCount: Int, clients: Int) {
        self.fingerprint = fingerprint
        self.parameterCount = max(1, parameterCount)
        self.clients = max(1, clients)
        maxFrameBytes = Int(MessageSizeLimit.forUpdates(parameters: self.parameterCount, clients: self.clients))
    }
}

/// One hostile message: its frames (what a DEALER sends; no routing id), its label, and
/// whether it should go out on the socket that tries to register (`claimant`).
public struct FuzzCase: Sendable {
    public var kind: FuzzKind
    public var frames: [[UInt8]]
    /// True for the HELLO cases (and their replays): they go out on the fuzzer's claimant
    /// socket, the one that asks for client ids; every other case may go out on any socket.
    public var claimant: Bool

    /// What `MessageCodec.decode` makes of the frames with the coordinator's limits for
    /// `target`: the `CodecError` reason code, or "ok:<kind>" when they decode.
    public func codecVerdict(_ target: FuzzTarget) -> String {
        let limits = CodecLimits(maxParameters: target.parameterCount, maxClientIds: target.clients,
                                 maxReasonBytes: MessageCodec.maxReasonBytes, requireFinite: true)
        do {
            return "ok:\(try MessageCodec.decode(frames, limits: limits).kind)"
        } catch {
            return error.reasonCode
        }
    }
}

/// Produces hostile multipart messages for the coordinator from valid templates
/// (`MessageCodec.encode` of real HELLO / UPDATE / HEARTBEAT / TASK / WELCOME / SHUTDOWN
/// messages with the target's fingerprint and parameter count), each broken in one way.
///
/// Pure and seeded: the same target and seed give the same sequence of cases. `next()` picks
/// a kind by `FuzzKind.weight`; `make(_:)` builds one of a given kind.
public struct MessageFuzzer: Sendable {
    public let target: FuzzTarget
    /// The round the fuzzer believes is current (from heartbeats, if it ever sees any);
    /// stale and future rounds are drawn around it.
    public var roundHint: UInt32 = 1
    private var rng: SeededRNG
    /// A plausible delta (small finite values), copied and touched per case.
    private let baseDelta: [Float]
    /// The last messages made, for replays.
    private var history: [FuzzCase] = []
    private var historyNext = 0
    private static let historySize = 64
    private let weighted: [FuzzKind]

    public init(target: FuzzTarget, seed: UInt64) {
        self.target = target
        rng = SeededRNG(seed: seed).derive("fuzz")
        var deltaRNG = rng.derive("delta")
        baseDelta = (0..<target.parameterCount).map { _ in Float(deltaRNG.nextDouble() * 0.02 - 0.01) }
        weighted = FuzzKind.allCases.flatMap { Array(repeating: $0, count: $0.weight) }
    }

    /// The next case, of a kind drawn by weight.
    public mutating func next() -> FuzzCase {
        make(weighted[rng.nextInt(below: weighted.count)])
    }

    /// One case of `kind`.
    public mutating func make(_ kind: FuzzKind) -> FuzzCase {
        if kind == .replay {
            guard !history.isEmpty else {
                return FuzzCase(kind: kind, frames: MessageCodec.encode(.heartbeat(round: roundHint)), claimant: false)
            }
            let earlier = history[int(history.count)]
            return FuzzCase(kind: kind, frames: earlier.frames, claimant: earlier.claimant)
        }
        let made = FuzzCase(kind: kind, frames: build(kind), claimant: kind.rawValue.hasPrefix("hello"))
        if kind != .oversizedFrame {
            if history.count < Self.historySize { history.append(made) } else { history[historyNext] = made }
            historyNext = (historyNext + 1) % Self.historySize
        }
        return made
    }

    // MARK: - Cases

    private mutating func build(_ kind: FuzzKind) -> [[UInt8]] {
        let d = target.parameterCount
        switch kind {
        case .emptyFrame:
            return [[]]
        case .emptyFrames:
            return Array(repeating: [], count: 2 + int(3))
        case .truncatedHeader:
            var m = anyTemplate()
            m[0] = Array(m[0].prefix(1 + int(MessageCodec.headerSize - 1)))
            return m
        case .longHeader:
            var m = anyTemplate()
            m[0] += bytes(1 + int(16))
            return m
        case .garbageHeader:
            var m = anyTemplate()
            var h = bytes(MessageCodec.headerSize)
            if h[0] == UInt8(ascii: "F") { h[0] = 0 }
            m[0] = h
            return m
        case .garbageFrames:
            return (0..<(1 + int(5))).map { _ in bytes(int(201)) }
        case .missingFrame:
            var m = [update(), hello(ids: takenIds()), taskTemplate()][int(3)]
            if m.count > 2 && chance(0.5) { m = [m[0]] } else { m.removeLast() }
            return m
        case .extraFrame:
            var m = anyTemplate()
            m.append(chance(0.5) ? [] : bytes(1 + int(64)))
            return m

        case .badMagic:
            var m = anyTemplate()
            m[0][int(4)] ^= UInt8(1 + int(255))
            return m
        case .badVersion:
            var m = anyTemplate()
            // Anything but the current version (1, the previous one, included: its HELLO is refused).
            let versions: [UInt16] = [0, MessageCodec.previousVersion, 0xFFFF, UInt16(3 + int(0xFFFC))]
            put(versions[int(versions.count)], into: &m[0], at: 4)
            return m
        case .badKind:
            var m = anyTemplate()
            m[0][6] = chance(0.2) ? 0 : UInt8(7 + int(249))
            return m
        case .badFlags:
            var m = anyTemplate()
            m[0][7] = UInt8(2 + int(254))  // 1 is the worker-state flag of TASK and UPDATE
            return m
        case .reservedField:
            return reservedFieldCase()
        case .bitFlip:
            var m = anyTemplate()
            for _ in 0..<(1 + int(4)) { m[0][int(MessageCodec.headerSize)] ^= UInt8(1) << UInt8(int(8)) }
            return m

        case .truncatedBody:
            var m = update()
            m[1] = Array(m[1].prefix(int(m[1].count)))
            return m
        case .longBody:
            var m = update()
            m[1] += bytes(1 + int(target.maxFrameBytes - m[1].count))
            return m
        case .badCount:
            var m = update()
            put(UInt32(int(d)), into: &m[0], at: 20)
            return m
        case .countOverCap:
            var m = update()
            if chance(0.3) {
                put(UInt32.max, into: &m[0], at: 20)
            } else {
                let extra = 1 + int((target.maxFrameBytes - 4 * d) / 4)
                put(UInt32(d + extra), into: &m[0], at: 20)
                m[1] += bytes(4 * extra)
            }
            return m
        case .oversizedFrame:
            return oversizedCase()
        case .zeroLengthDelta:
            return update(delta: [])

        case .nanDelta, .infDelta:
            var delta = baseDelta
            let bits: [UInt32] = kind == .nanDelta
                ? [0x7FC0_0000, 0x7F80_0001, 0xFFC0_0000, 0x7F80_0000 | UInt32(1 + int(0x7F_FFFF))]
                : [0x7F80_0000, 0xFF80_0000]
            delta[int(d)] = Float(bitPattern: bits[int(bits.count)])
            return update(delta: delta)
        case .nanLoss:
            return update(loss: chance(0.5) ? Float.nan : -Float.nan)
        case .infLoss:
            return update(loss: chance(0.5) ? Float.infinity : -Float.infinity)

        case .staleRound:
            return update(round: UInt32(int(Int(roundHint))))
        case .futureRound:
            let round = chance(0.2) ? UInt32.max : roundHint &+ UInt32(1 + int(1000))
            return update(round: round == 0 ? 1 : round)
        case .foreignClient:
            return update(client: UInt32(int(target.clients)))
        case .unknownClient:
            let id = chance(0.2) ? UInt32.max : UInt32(target.clients + int(1000))
            return update(client: id)
        case .heartbeat:
            return MessageCodec.encode(.heartbeat(round: roundHint))
        case .replay:
            return MessageCodec.encode(.heartbeat(round: roundHint))  // made in make(_:)
        case .wrongDirection:
            switch int(3) {
            case 0: return MessageCodec.encode(.welcome(fingerprint: target.fingerprint, parameterCount: UInt32(d),
                                                        clientIds: takenIds()))
            case 1: return taskTemplate()
            default: return MessageCodec.encode(.shutdown(reason: "done"))
            }

        case .helloTaken:
            return hello(ids: takenIds())
        case .helloUnknownIds:
            return hello(ids: distinct(1 + int(target.clients), from: UInt32(target.clients), span: 10_000))
        case .helloMixedIds:
            let unknown = distinct(1, from: UInt32(target.clients), span: 10_000)
            return hello(ids: takenIds().prefix(max(1, target.clients - 1)) + unknown)
        case .helloFingerprint:
            return MessageCodec.encode(.hello(fingerprint: target.fingerprint ^ (1 + rng.next() >> 1),
                                              clientIds: takenIds()))
        case .helloHugeIds:
            return hugeIdsCase()
        case .helloDuplicateIds:
            var ids = takenIds()
            if ids.count == target.clients && ids.count > 1 { ids.removeLast() }
            ids.append(ids[int(ids.count)])
            return hello(ids: ids)
        case .helloEmptyIds:
            return hello(ids: [])

        case .taskMisaligned:
            var m = taskTemplate()
            m[1] += bytes(1 + int(3))
            return m
        case .shutdownBadUTF8:
            let bad: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
                                  Array("done".utf8) + [0xE2, 0x82]]
            let body = bad[int(bad.count)]
            var m = MessageCodec.encode(.shutdown(reason: ""))
            put(UInt32(body.count), into: &m[0], at: 20)
            m[1] = body
            return m
        case .shutdownLongReason:
            let count = MessageCodec.maxReasonBytes + 1 + int(100_000)
            var m = MessageCodec.encode(.shutdown(reason: ""))
            put(UInt32(count), into: &m[0], at: 20)
            m[1] = Array(repeating: UInt8(ascii: "x"), count: min(count, target.maxFrameBytes))
            return m
        }
    }

    private mutating func reservedFieldCase() -> [[UInt8]] {
        switch int(6) {
        case 0:  // HEARTBEAT with a client id, samples, count or aux
            var m = MessageCodec.encode(.heartbeat(round: roundHint))
            let offset = [12, 16, 20, 24][int(4)]
            put(UInt32(1 + int(1000)), into: &m[0], at: offset)
            return m
        case 1:  // HELLO with a round
            var m = hello(ids: takenIds())
            put(UInt32(1 + int(1000)), into: &m[0], at: 8)
            return m
        case 2:  // UPDATE with aux's high 32 bits set
            var m = update()
            put(UInt32(1 + int(0xFFFF)), into: &m[0], at: 28)
            return m
        case 3:  // TASK with a client id
            var m = taskTemplate()
            put(UInt32(1 + int(1000)), into: &m[0], at: 12)
            return m
        case 4:  // WELCOME with a round
            var m = MessageCodec.encode(.welcome(fingerprint: target.fingerprint, parameterCount: UInt32(target.parameterCount),
                                                 clientIds: takenIds()))
            put(UInt32(1 + int(1000)), into: &m[0], at: 8)
            return m
        default:  // SHUTDOWN with aux
            var m = MessageCodec.encode(.shutdown(reason: "done"))
            put(UInt32(1 + int(1000)), into: &m[0], at: 24)
            return m
        }
    }

    /// A frame 1...8192 bytes over the cap: the delta of an UPDATE, the ids of a HELLO, or a lone frame.
    private mutating func oversizedCase() -> [[UInt8]] {
        let size = target.maxFrameBytes + 1 + int(8192)
        switch int(3) {
        case 0:
            var m = update()
            m[1] = bytes(size)
            put(UInt32(size / 4), into: &m[0], at: 20)
            return m
        case 1:
            let ids = (0..<UInt32(size / 4 + 1)).map { $0 }
            return hello(ids: ids)
        default:
            return [bytes(size)]
        }
    }

    /// A HELLO whose count is above the federation's size: listed in full while the frame
    /// fits under the cap, else only the count is huge (the codec checks it first).
    private mutating func hugeIdsCase() -> [[UInt8]] {
        let fits = target.maxFrameBytes / 4
        if chance(0.5) && fits > target.clients {
            let n = target.clients + 1 + int(fits - target.clients)
            return hello(ids: (0..<UInt32(n)).map { $0 })
        }
        var m = hello(ids: takenIds())
        let count = chance(0.3) ? UInt32.max : UInt32(target.clients + 1 + int(100_000_000))
        put(count, into: &m[0], at: 20)
        return m
    }

    // MARK: - Templates

    private mutating func update(round: UInt32? = nil, client: UInt32? = nil, loss: Float? = nil,
                                 delta: [Float]? = nil) -> [[UInt8]] {
        var values: [Float]
        if let delta { values = delta } else {
            values = baseDelta
            values[int(values.count)] = Float(rng.nextDouble() * 0.02 - 0.01)
        }
        return MessageCodec.encode(.update(round: round ?? roundHint, clientId: client ?? UInt32(int(target.clients)),
                                           samples: UInt32(1 + int(1000)),
                                           trainLoss: loss ?? Float(rng.nextDouble() * 3), delta: values))
    }

    private func hello(ids: [UInt32]) -> [[UInt8]] {
        MessageCodec.encode(.hello(fingerprint: target.fingerprint, clientIds: ids))
    }

    private mutating func taskTemplate() -> [[UInt8]] {
        MessageCodec.encode(.task(round: roundHint, clientIds: takenIds(), model: baseDelta))
    }

    /// One valid message of a random kind (the starting point of header mutations).
    private mutating func anyTemplate() -> [[UInt8]] {
        switch int(6) {
        case 0: hello(ids: takenIds())
        case 1: MessageCodec.encode(.welcome(fingerprint: target.fingerprint, parameterCount: UInt32(target.parameterCount),
                                             clientIds: takenIds()))
        case 2: taskTemplate()
        case 3: update()
        case 4: MessageCodec.encode(.heartbeat(round: roundHint))
        default: MessageCodec.encode(.shutdown(reason: "done"))
        }
    }

    /// 1...clients distinct ids of the federation, sorted.
    private mutating func takenIds() -> [UInt32] {
        rng.sample(1 + int(target.clients), from: target.clients).sorted().map(UInt32.init)
    }

    /// `n` distinct ids in from ..< from + span (n <= span).
    private mutating func distinct(_ n: Int, from: UInt32, span: Int) -> [UInt32] {
        rng.sample(min(n, span), from: span).map { from &+ UInt32($0) }
    }

    // MARK: - Random helpers

    /// Uniform in 0..<bound (0 when bound <= 0).
    private mutating func int(_ bound: Int) -> Int { bound > 0 ? rng.nextInt(below: bound) : 0 }

    private mutating func chance(_ p: Double) -> Bool { rng.nextDouble() < p }

    private mutating func bytes(_ n: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(n + 8)
        while out.count < n { withUnsafeBytes(of: rng.next()) { out.append(contentsOf: $0) } }
        out.removeLast(out.count - n)
        return out
    }

    private func put<T: FixedWidthInteger>(_ value: T, into frame: inout [UInt8], at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, b) in raw.enumerated() where offset + i < frame.count { frame[offset + i] = b }
        }
    }
}
