/// The fixed 32-byte header frame (frame 0). All integers little-endian.
///
/// | bytes  | field    | type | meaning                                              |
/// |--------|----------|------|------------------------------------------------------|
/// | 0..3   | magic    | 4 B  | ASCII "FSIM"                                         |
/// | 4..5   | version  | u16  | 2                                                    |
/// | 6      | kind     | u8   | `MessageKind`                                        |
/// | 7      | flags    | u8   | 0, or 1 on TASK / UPDATE with worker state frames    |
/// | 8..11  | round    | u32  | TASK, UPDATE, HEARTBEAT                              |
/// | 12..15 | clientId | u32  | UPDATE                                               |
/// | 16..19 | samples  | u32  | UPDATE samples; WELCOME parameterCount               |
/// | 20..23 | count    | u32  | element count of the main body frame                 |
/// | 24..31 | aux      | u64  | HELLO/WELCOME fingerprint; UPDATE loss bits (low 32) |
struct MessageHeader: Equatable {
    static let magic: [UInt8] = Array("FSIM".utf8)

    var version: UInt16 = MessageCodec.version
    var kind: UInt8
    var flags: UInt8 = 0
    var round: UInt32 = 0
    var clientId: UInt32 = 0
    var samples: UInt32 = 0
    var count: UInt32 = 0
    var aux: UInt64 = 0

    init(kind: MessageKind, round: UInt32 = 0, clientId: UInt32 = 0, samples: UInt32 = 0,
         count: UInt32 = 0, aux: UInt64 = 0) {
        self.kind = kind.rawValue
        self.round = round
        self.clientId = clientId
        self.samples = samples
        self.count = count
        self.aux = aux
    }

    /// Reads the fields of a frame already known to be `MessageCodec.headerSize` bytes.
    init(parsing frame: [UInt8]) {
        precondition(frame.count == MessageCodec.headerSize)
        (version, kind, flags, round, clientId, samples, count, aux) = frame.withUnsafeBytes { raw in
            (UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt16.self)),
             raw[6], raw[7],
             UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)),
             UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)),
             UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)),
             UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 20, as: UInt32.self)),
             UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
        }
    }

    /// The 32 header bytes.
    func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(MessageCodec.headerSize)
        out += Self.magic
        Self.append(version, to: &out)
        out.append(kind)
        out.append(flags)
        Self.append(round, to: &out)
        Self.append(clientId, to: &out)
        Self.append(samples, to: &out)
        Self.append(count, to: &out)
        Self.append(aux, to: &out)
        return out
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }
}
