/// One class of hostile message `MessageFuzzer` produces. The raw value is the short label
/// used in the fuzzer's histogram and in docs/PROTOCOL.md ("Hostile input").
public enum FuzzKind: String, CaseIterable, Sendable, Comparable {
    // MARK: - Framing

    /// One empty frame (no header at all).
    case emptyFrame = "empty_frame"
    /// Several empty frames.
    case emptyFrames = "empty_frames"
    /// A valid message whose header frame is cut to 1...31 bytes.
    case truncatedHeader = "truncated_header"
    /// A valid message whose header frame has 1...16 extra bytes.
    case longHeader = "long_header"
    /// 32 random bytes that do not start with the magic, then the template's body.
    case garbageHeader = "garbage_header"
    /// 1...5 frames of random bytes (random lengths, 0...200).
    case garbageFrames = "garbage_frames"
    /// A valid message with its last frame removed (or only its header).
    case missingFrame = "missing_frame"
    /// A valid message with one more frame (empty or random).
    case extraFrame = "extra_frame"

    // MARK: - Header fields

    /// Magic bytes changed.
    case badMagic = "bad_magic"
    /// Version other than 1 (0, 2, 0xFFFF, random).
    case badVersion = "bad_version"
    /// Kind byte 0 or 7...255.
    case badKind = "bad_kind"
    /// Flags byte 1...255.
    case badFlags = "bad_flags"
    /// A header field the kind does not use is non-zero.
    case reservedField = "reserved_field"
    /// 1...4 random bit flips anywhere in a valid header (any outcome, often none).
    case bitFlip = "bit_flip"

    // MARK: - Sizes

    /// UPDATE whose delta frame is shorter than its count says.
    case truncatedBody = "truncated_body"
    /// UPDATE whose delta frame is longer than its count says (still under the size cap).
    case longBody = "long_body"
    /// UPDATE whose count is below the length of its (full-length) delta frame.
    case badCount = "bad_count"
    /// UPDATE with count and frame beyond parameterCount (or count = 2^32 - 1).
    case countOverCap = "count_over_cap"
    /// A frame beyond the coordinator's ZMQ_MAXMSGSIZE: libzmq drops the connection.
    case oversizedFrame = "oversized_frame"
    /// UPDATE with count 0 and an empty delta frame (decodes; refused by session rules).
    case zeroLengthDelta = "zero_length_delta"

    // MARK: - Values

    /// UPDATE with a NaN (quiet, signalling or negative) in the delta.
    case nanDelta = "nan_delta"
    /// UPDATE with +Inf or -Inf in the delta.
    case infDelta = "inf_delta"
    /// UPDATE whose train loss is NaN.
    case nanLoss = "nan_loss"
    /// UPDATE whose train loss is ±Inf.
    case infLoss = "inf_loss"

    // MARK: - Session

    /// Well-formed UPDATE for a round below the current one (0 included).
    case staleRound = "stale_round"
    /// Well-formed UPDATE for a round above the current one (up to 2^32 - 1).
    case futureRound = "future_round"
    /// Well-formed UPDATE for a client id of the federation (owned by another process).
    case foreignClient = "foreign_client"
    /// Well-formed UPDATE for a client id outside the federation.
    case unknownClient = "unknown_client"
    /// HEARTBEAT from a process that never completed HELLO.
    case heartbeat = "heartbeat"
    /// An earlier message of this fuzzer sent again.
    case replay = "replay"
    /// WELCOME, TASK or SHUTDOWN sent to the coordinator (wrong direction).
    case wrongDirection = "wrong_direction"

    // MARK: - HELLO

    /// HELLO with the right fingerprint claiming ids of the federation (already registered).
    case helloTaken = "hello_taken"
    /// HELLO with the right fingerprint and ids outside the federation.
    case helloUnknownIds = "hello_unknown_ids"
    /// HELLO with the right fingerprint, some taken ids and some unknown ones.
    case helloMixedIds = "hello_mixed_ids"
    /// HELLO with a wrong fingerprint.
    case helloFingerprint = "hello_fingerprint"
    /// HELLO listing more ids than the federation has (frame still under the size cap).
    case helloHugeIds = "hello_huge_ids"
    /// HELLO naming one id twice.
    case helloDuplicateIds = "hello_duplicate_ids"
    /// HELLO with an empty id list.
    case helloEmptyIds = "hello_empty_ids"

    // MARK: - Other kinds' bodies

    /// TASK whose id frame is not a multiple of 4 bytes.
    case taskMisaligned = "task_misaligned"
    /// SHUTDOWN whose reason is not UTF-8.
    case shutdownBadUTF8 = "shutdown_bad_utf8"
    /// SHUTDOWN whose reason is over 1024 bytes.
    case shutdownLongReason = "shutdown_long_reason"

    /// Relative frequency in `MessageFuzzer.next()`. Oversized frames make libzmq drop the
    /// fuzzer's connection (it reconnects), so they are rarer than the rest.
    var weight: Int {
        switch self {
        case .oversizedFrame: 1
        case .replay, .bitFlip, .garbageFrames: 3
        default: 2
        }
    }

    /// The reason code the coordinator counts for this case when it comes from a process
    /// that is not registered (the fuzzer's usual position) and every client id is held by a
    /// live process. nil: it varies, several are counted, or nothing is (a dropped connection).
    public func expectedReason(clients: Int) -> String? {
        switch self {
        case .emptyFrame, .emptyFrames, .truncatedHeader, .longHeader: "header_size"
        case .garbageHeader, .badMagic: "bad_magic"
        case .badVersion: "bad_version"
        case .badKind: "unknown_kind"
        case .badFlags: "bad_flags"
        case .missingFrame, .extraFrame: "frame_count"
        case .reservedField: "reserved_field"
        case .truncatedBody, .longBody, .badCount: "body_size"
        case .countOverCap, .helloHugeIds, .shutdownLongReason: "too_large"
        case .nanDelta, .infDelta: "non_finite"
        case .nanLoss, .infLoss: "non_finite_loss"
        case .zeroLengthDelta, .staleRound, .futureRound, .foreignClient, .unknownClient, .heartbeat: "unknown_sender"
        case .wrongDirection: "unexpected_kind"
        case .helloTaken: "id_taken"
        case .helloUnknownIds: "unknown_client"
        case .helloFingerprint: "fingerprint"
        case .helloDuplicateIds: clients >= 2 ? "duplicate_client_id" : "too_large"
        case .helloEmptyIds: "empty_client_ids"
        case .taskMisaligned: "misaligned_frame"
        case .shutdownBadUTF8: "bad_utf8"
        case .garbageFrames, .bitFlip, .oversizedFrame, .replay, .helloMixedIds: nil
        }
    }

    public static func < (a: FuzzKind, b: FuzzKind) -> Bool { a.rawValue < b.rawValue }
}
