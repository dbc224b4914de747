/// Encodes `Message` values to multipart frames and decodes (and validates) them back.
/// Layout in `MessageHeader` and docs/PROTOCOL.md.
public enum MessageCodec {
    /// Bytes in frame 0.
    public static let headerSize = 32
    /// The protocol version this codec writes and accepts (docs/PROTOCOL.md section 8).
    /// Version 2 added WELCOME's session document frame; a version-1 peer is refused with a
    /// SHUTDOWN it can read (`legacyRefusal`).
    public static let version: UInt16 = 2
    /// The version before this one: its HELLO is answered with `legacyRefusal`.
    public static let previousVersion: UInt16 = 1
    /// SHUTDOWN reasons longer than this many UTF-8 bytes are cut (at a character boundary)
    /// by `encode`.
    public static let maxReasonBytes = 1024
    /// Header flag (bit 0) of TASK and UPDATE: worker state frames follow the body. TASK: one
    /// frame per listed id, each empty (no state yet) or `count` Float32 values; UPDATE: one
    /// frame of `count` Float32 values. No other flag is defined.
    public static let stateFlag: UInt8 = 0x01

    // MARK: - Encode

    /// The frames of `message`: header, then body frames (raw little-endian u32 / f32 / UTF-8).
    ///
    /// Preconditions (programming errors, not wire errors): id lists and models hold fewer
    /// than 2^32 elements.
    public static func encode(_ message: Message) -> [[UInt8]] {
        switch message {
        case .hello(let fingerprint, let ids):
            let header = MessageHeader(kind: .hello, count: count32(ids.count), aux: fingerprint)
            return [header.encoded(), rawBytes(ids)]
        case .welcome(let fingerprint, let parameterCount, let ids, let session):
            let header = MessageHeader(kind: .welcome, samples: parameterCount, count: count32(ids.count),
                                       aux: fingerprint)
            return [header.encoded(), rawBytes(ids), Array(session.utf8)]
        case .task(let round, let ids, let model, let states):
            precondition(states.isEmpty || states.count == ids.count,
                         "FedWire: a TASK carries no states or one per id; got \(states.count) for \(ids.count) ids")
            var header = MessageHeader(kind: .task, round: round, count: count32(model.count))
            if !states.isEmpty { header.flags = stateFlag }
            return [header.encoded(), rawBytes(ids), rawBytes(model)] + states.map { rawBytes($0) }
        case .update(let round, let clientId, let samples, let trainLoss, let delta, let state):
            var header = MessageHeader(kind: .update, round: round, clientId: clientId, samples: samples,
                                       count: count32(delta.count), aux: UInt64(trainLoss.bitPattern))
            if state != nil { header.flags = stateFlag }
            return [header.encoded(), rawBytes(delta)] + (state.map { [rawBytes($0)] } ?? [])
        case .heartbeat(let round):
            return [MessageHeader(kind: .heartbeat, round: round).encoded()]
        case .shutdown(let reason):
            let bytes = truncatedUTF8(reason, maxBytes: maxReasonBytes)
            let header = MessageHeader(kind: .shutdown, count: count32(bytes.count))
            return [header.encoded(), bytes]
        }
    }

    /// The frames of a SHUTDOWN in the header of protocol `version` (the layout of SHUTDOWN is
    /// the same in versions 1 and 2): how a coordinator refuses a HELLO of an older version in
    /// words its sender can decode.
    public static func legacyRefusal(_ reason: String, version: UInt16 = previousVersion) -> [[UInt8]] {
        var frames = encode(.shutdown(reason: reason))
        frames[0][4] = UInt8(version & 0xFF)
        frames[0][5] = UInt8(version >> 8)
        return frames
    }

    /// True when `frames` start with a well-formed header of protocol `previousVersion` and
    /// kind HELLO (the coordinator answers it with `legacyRefusal`).
    public static func isPreviousVersionHello(_ frames: [[UInt8]]) -> Bool {
        guard let first = frames.first, first.count == headerSize, first.starts(with: MessageHeader.magic) else {
            return false
        }
        let header = MessageHeader(parsing: first)
        return header.version == previousVersion && header.kind == MessageKind.hello.rawValue
    }

    // MARK: - Decode

    /// Validates and decodes one multipart message. Never traps on malformed input: every
    /// problem is a `CodecError`, and body sizes are checked against `limits` before any
    /// allocation.
    public static func decode(_ frames: [[UInt8]], limits: CodecLimits = .init()) throws(CodecError) -> Message {
        guard let first = frames.first else { throw .noFrames }
        guard first.count == headerSize else { throw .headerSize(got: first.count) }
        guard first.starts(with: MessageHeader.magic) else { throw .badMagic(got: Array(first.prefix(4))) }
        let header = MessageHeader(parsing: first)
        guard header.version == version else { throw .unsupportedVersion(got: header.version) }
        guard let kind = MessageKind(rawValue: header.kind) else { throw .unknownKind(got: header.kind) }
        let withState = header.flags == stateFlag && (kind == .task || kind == .update)
        guard header.flags == 0 || withState else { throw .badFlags(got: header.flags) }
        // A TASK with states has one more frame per id (checked once the ids are read).
        let expectedFrames = kind.frameCount + (withState ? 1 : 0)
        guard withState && kind == .task ? frames.count >= expectedFrames : frames.count == expectedFrames else {
            throw .frameCount(kind: kind, expected: expectedFrames, got: frames.count)
        }
        let count = Int(header.count)

        switch kind {
        case .hello:
            try requireZero(kind, header, round: true, clientId: true, samples: true)
            let ids = try clientIds(kind, frames[1], headerCount: count, limits: limits)
            return .hello(fingerprint: header.aux, clientIds: ids)

        case .welcome:
            try requireZero(kind, header, round: true, clientId: true)
            guard Int(header.samples) <= limits.maxParameters else {
                throw .tooLarge(what: "parameterCount", limit: limits.maxParameters, got: Int(header.samples))
            }
            let ids = try clientIds(kind, frames[1], headerCount: count, limits: limits)
            guard frames[2].count <= limits.maxSessionBytes else {
                throw .tooLarge(what: "sessionBytes", limit: limits.maxSessionBytes, got: frames[2].count)
            }
            guard let session = validUTF8(frames[2]) else { throw .badUTF8 }
            return .welcome(fingerprint: header.aux, parameterCount: header.samples, clientIds: ids, session: session)

        case .task:
            try requireZero(kind, header, clientId: true, samples: true, aux: true)
            let idFrame = frames[1]
            guard idFrame.count % 4 == 0 else {
                throw .misalignedFrame(kind: kind, frame: 1, gotBytes: idFrame.count)
            }
            let ids = try clientIds(kind, idFrame, headerCount: idFrame.count / 4, limits: limits)
            let model = try floats(kind, frames[2], headerCount: count, limits: limits)
            guard withState else { return .task(round: header.round, clientIds: ids, model: model) }
            guard frames.count == kind.frameCount + ids.count else {
                throw .frameCount(kind: kind, expected: kind.frameCount + ids.count, got: frames.count)
            }
            var states: [[Float]] = []
            states.reserveCapacity(ids.count)
            for frame in frames[kind.frameCount...] {
                states.append(frame.isEmpty ? [] : try floats(kind, frame, headerCount: count, limits: limits))
            }
            return .task(round: header.round, clientIds: ids, model: model, states: states)

        case .update:
            guard header.aux >> 32 == 0 else {
                throw .reservedField(kind: kind, field: "aux.high32", got: header.aux >> 32)
            }
            let lossBits = UInt32(truncatingIfNeeded: header.aux)
            let loss = Float(bitPattern: lossBits)
            if limits.requireFinite && !loss.isFinite { throw .nonFiniteLoss(bits: lossBits) }
            let delta = try floats(kind, frames[1], headerCount: count, limits: limits)
            let state = withState ? try floats(kind, frames[2], headerCount: count, limits: limits) : nil
            return .update(round: header.round, clientId: header.clientId, samples: header.samples,
                           trainLoss: loss, delta: delta, state: state)

        case .heartbeat:
            try requireZero(kind, header, clientId: true, samples: true, count: true, aux: true)
            return .heartbeat(round: header.round)

        case .shutdown:
            try requireZero(kind, header, round: true, clientId: true, samples: true, aux: true)
            guard count <= limits.maxReasonBytes else {
                throw .tooLarge(what: "reasonBytes", limit: limits.maxReasonBytes, got: count)
            }
            let body = frames[1]
            guard body.count == count else {
                throw .bodySize(kind: kind, expectedBytes: count, gotBytes: body.count)
            }
            guard let reason = validUTF8(body) else { throw .badUTF8 }
            return .shutdown(reason: reason)
        }
    }

    // MARK: - Body helpers

    /// Throws `reservedField` for the first selected header field that is not zero.
    private static func requireZero(
        _ kind: MessageKind, _ h: MessageHeader,
        round: Bool = false, clientId: Bool = false, samples: Bool = false,
        count: Bool = false, aux: Bool = false
    ) throws(CodecError) {
        if round && h.round != 0 { throw .reservedField(kind: kind, field: "round", got: UInt64(h.round)) }
        if clientId && h.clientId != 0 {
            throw .reservedField(kind: kind, field: "clientId", got: UInt64(h.clientId))
        }
        if samples && h.samples != 0 { throw .reservedField(kind: kind, field: "samples", got: UInt64(h.samples)) }
        if count && h.count != 0 { throw .reservedField(kind: kind, field: "count", got: UInt64(h.count)) }
        if aux && h.aux != 0 { throw .reservedField(kind: kind, field: "aux", got: h.aux) }
    }

    /// A u32 id frame of `headerCount` elements: capped, exact size, non-empty, no duplicates.
    private static func clientIds(
        _ kind: MessageKind, _ frame: [UInt8], headerCount: Int, limits: CodecLimits
    ) throws(CodecError) -> [UInt32] {
        guard headerCount <= limits.maxClientIds else {
            throw .tooLarge(what: "clientIds", limit: limits.maxClientIds, got: headerCount)
        }
        guard frame.count == headerCount * 4 else {
            throw .bodySize(kind: kind, expectedBytes: headerCount * 4, gotBytes: frame.count)
        }
        guard headerCount > 0 else { throw .emptyClientIds(kind: kind) }
        let ids: [UInt32] = bulkCopy(frame, count: headerCount)
        var seen = Set<UInt32>(minimumCapacity: ids.count)
        for id in ids where !seen.insert(id).inserted {
            throw .duplicateClientId(kind: kind, id: id)
        }
        return ids
    }

    /// An f32 frame of `headerCount` elements: capped, exact size, finite (when required).
    private static func floats(
        _ kind: MessageKind, _ frame: [UInt8], headerCount: Int, limits: CodecLimits
    ) throws(CodecError) -> [Float] {
        guard headerCount <= limits.maxParameters else {
            throw .tooLarge(what: "parameters", limit: limits.maxParameters, got: headerCount)
        }
        guard frame.count == headerCount * 4 else {
            throw .bodySize(kind: kind, expectedBytes: headerCount * 4, gotBytes: frame.count)
        }
        let values: [Float] = bulkCopy(frame, count: headerCount)
        if limits.requireFinite, let index = firstNonFinite(values) {
            throw .nonFinite(index: index, kind: kind)
        }
        return values
    }

    /// Index of the first NaN or ±Inf, or nil. One pass over the bit patterns in chunks: a
    /// branch-free OR per chunk (vectorisable); only a chunk that holds a bad value is
    /// rescanned to find its index. Non-finite <=> all exponent bits set (0x7F80_0000).
    static func firstNonFinite(_ values: [Float]) -> Int? {
        values.withUnsafeBufferPointer { floats in
            floats.withMemoryRebound(to: UInt32.self) { bits -> Int? in
                let mask: UInt32 = 0x7F80_0000
                let chunk = 4096
                var start = 0
                while start < bits.count {
                    let end = min(start + chunk, bits.count)
                    var hit: UInt32 = 0
                    for i in start..<end { hit |= (bits[i] & mask) == mask ? 1 : 0 }
                    if hit != 0 {
                        for i in start..<end where bits[i] & mask == mask { return i }
                    }
                    start = end
                }
                return nil
            }
        }
    }

    // MARK: - Byte helpers

    /// `count` elements of `T` copied in one `memcpy` from little-endian bytes
    /// (`bytes.count == count * MemoryLayout<T>.stride`, checked by the caller).
    private static func bulkCopy<T: BitwiseCopyable>(_ bytes: [UInt8], count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                bytes.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
                }
            }
            initialized = count
        }
    }

    /// The bytes of `values` in one `memcpy` (host is little-endian; see FedWire.swift).
    private static func rawBytes<T: BitwiseCopyable>(_ values: [T]) -> [UInt8] {
        values.withUnsafeBytes { source in
            [UInt8](unsafeUninitializedCapacity: source.count) { buffer, initialized in
                if source.count > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source) }
                initialized = source.count
            }
        }
    }

    private static func count32(_ n: Int) -> UInt32 {
        precondition(n <= Int(UInt32.max), "FedWire: \(n) elements do not fit the u32 count field")
        return UInt32(n)
    }

    /// The UTF-8 of `string`, cut to at most `maxBytes` without splitting a scalar.
    static func truncatedUTF8(_ string: String, maxBytes: Int) -> [UInt8] {
        var bytes = Array(string.utf8)
        guard bytes.count > maxBytes else { return bytes }
        var cut = maxBytes
        while cut > 0 && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }  // bytes[cut] starts the dropped part
        bytes.removeSubrange(cut...)
        return bytes
    }

    /// `bytes` as a String if they are valid UTF-8, else nil.
    static func validUTF8(_ bytes: [UInt8]) -> String? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
