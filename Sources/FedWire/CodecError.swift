/// Why `MessageCodec.decode` rejected a message. Each case carries the numbers involved;
/// `reasonCode` is a short stable token for counting rejections (CSV columns, logs).
public enum CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message had no frames at all.
    case noFrames
    /// Frame 0 is not exactly `MessageCodec.headerSize` (32) bytes.
    case headerSize(got: Int)
    /// Header bytes 0..3 are not ASCII "FSIM".
    case badMagic(got: [UInt8])
    /// Header version is not `MessageCodec.version`.
    case unsupportedVersion(got: UInt16)
    /// Header kind byte is not a known `MessageKind`.
    case unknownKind(got: UInt8)
    /// Header flags byte is not 0 (no flags are defined in version 1).
    case badFlags(got: UInt8)
    /// The message has the wrong number of frames for its kind (header included).
    case frameCount(kind: MessageKind, expected: Int, got: Int)
    /// The main body frame's byte length is not header count x element size.
    case bodySize(kind: MessageKind, expectedBytes: Int, gotBytes: Int)
    /// A body frame whose element count is implied by its length (TASK's id frame) is not a
    /// whole number of 4-byte elements. `frame` is the frame index (0 = header).
    case misalignedFrame(kind: MessageKind, frame: Int, gotBytes: Int)
    /// A header field this kind does not use is not 0 (e.g. a HEARTBEAT with a client id,
    /// the high 32 bits of UPDATE's aux).
    case reservedField(kind: MessageKind, field: String, got: UInt64)
    /// A count is over its `CodecLimits` cap (`what`: "parameters", "clientIds", "reasonBytes",
    /// "parameterCount", "sessionBytes").
    case tooLarge(what: String, limit: Int, got: Int)
    /// A model or delta element is NaN or ±Inf; `index` is the first such element.
    case nonFinite(index: Int, kind: MessageKind)
    /// UPDATE's train loss is NaN or ±Inf (its Float32 bit pattern).
    case nonFiniteLoss(bits: UInt32)
    /// SHUTDOWN's reason or WELCOME's session document is not valid UTF-8.
    case badUTF8
    /// A client-id list (HELLO, WELCOME, TASK) is empty.
    case emptyClientIds(kind: MessageKind)
    /// A client-id list names the same id twice.
    case duplicateClientId(kind: MessageKind, id: UInt32)

    /// Short stable token for counting rejections by cause.
    public var reasonCode: String {
        switch self {
        case .noFrames: "no_frames"
        case .headerSize: "header_size"
        case .badMagic: "bad_magic"
        case .unsupportedVersion: "bad_version"
        case .unknownKind: "unknown_kind"
        case .badFlags: "bad_flags"
        case .frameCount: "frame_count"
        case .bodySize: "body_size"
        case .misalignedFrame: "misaligned_frame"
        case .reservedField: "reserved_field"
        case .tooLarge: "too_large"
        case .nonFinite: "non_finite"
        case .nonFiniteLoss: "non_finite_loss"
        case .badUTF8: "bad_utf8"
        case .emptyClientIds: "empty_client_ids"
        case .duplicateClientId: "duplicate_client_id"
        }
    }

    public var description: String {
        switch self {
        case .noFrames:
            "message has no frames"
        case .headerSize(let got):
            "header frame is \(got) bytes; expected \(MessageCodec.headerSize)"
        case .badMagic(let got):
            "bad magic \(got.map { String($0, radix: 16) }); expected \"FSIM\""
        case .unsupportedVersion(let got):
            "unsupported protocol version \(got); expected \(MessageCodec.version)"
        case .unknownKind(let got):
            "unknown message kind \(got)"
        case .badFlags(let got):
            "flags byte is \(got); expected 0"
        case .frameCount(let kind, let expected, let got):
            "\(kind) message has \(got) frames; expected \(expected)"
        case .bodySize(let kind, let expectedBytes, let gotBytes):
            "\(kind) body frame is \(gotBytes) bytes; header count implies \(expectedBytes)"
        case .misalignedFrame(let kind, let frame, let gotBytes):
            "\(kind) frame \(frame) is \(gotBytes) bytes; not a multiple of 4"
        case .reservedField(let kind, let field, let got):
            "\(kind) header field \(field) is \(got); expected 0"
        case .tooLarge(let what, let limit, let got):
            "\(what) is \(got); limit is \(limit)"
        case .nonFinite(let index, let kind):
            "\(kind) has a non-finite value at index \(index)"
        case .nonFiniteLoss(let bits):
            "update train loss is not finite (bits 0x\(String(bits, radix: 16)))"
        case .badUTF8:
            "shutdown reason or welcome session document is not valid UTF-8"
        case .emptyClientIds(let kind):
            "\(kind) has an empty client-id list"
        case .duplicateClientId(let kind, let id):
            "\(kind) lists client id \(id) more than once"
        }
    }
}
