import XCTest
@testable import FedWire

final class MessageCodecTests: XCTestCase {
    // MARK: - Round trips

    func testRoundTripEveryKind() throws {
        let large = (0..<100_000).map { Float($0) * 0.001 - 3.5 }
        let cases: [(String, Message)] = [
            ("hello", .hello(fingerprint: 0xDEAD_BEEF_0123_4567, clientIds: [0, 1, 2, 999])),
            ("hello one id", .hello(fingerprint: 0, clientIds: [UInt32.max])),
            ("welcome", .welcome(fingerprint: UInt64.max, parameterCount: 7850, clientIds: [5, 3])),
            ("task", .task(round: 3, clientIds: [1, 2, 3], model: [0.5, -1.25, 3e-8, 0])),
            ("task empty model", .task(round: 0, clientIds: [7], model: [])),
            ("task large model", .task(round: 12, clientIds: Array(0..<100), model: large)),
            ("task max round", .task(round: UInt32.max, clientIds: [1], model: [1])),
            ("update", .update(round: 4, clientId: 17, samples: 600, trainLoss: 0.6931, delta: [1, -2, 3.5])),
            ("update empty delta", .update(round: 0, clientId: 0, samples: 0, trainLoss: 0, delta: [])),
            ("update large delta", .update(round: UInt32.max, clientId: UInt32.max, samples: UInt32.max,
                                           trainLoss: -Float.greatestFiniteMagnitude, delta: large)),
            ("update subnormal", .update(round: 1, clientId: 1, samples: 1, trainLoss: .leastNonzeroMagnitude,
                                         delta: [.leastNonzeroMagnitude, -0.0, .greatestFiniteMagnitude])),
            ("heartbeat", .heartbeat(round: 0)),
            ("heartbeat max", .heartbeat(round: UInt32.max)),
            ("shutdown", .shutdown(reason: "done")),
            ("shutdown empty", .shutdown(reason: "")),
            ("shutdown unicode", .shutdown(reason: "rejected: fingerprint ≠ 0x1 🚫")),
        ]
        for (name, message) in cases {
            let frames = MessageCodec.encode(message)
            XCTAssertEqual(frames.count, message.kind.frameCount, name)
            XCTAssertEqual(frames[0].count, MessageCodec.headerSize, name)
            XCTAssertEqual(try MessageCodec.decode(frames), message, name)
        }
    }

    /// Worker states (header flag bit 0): a TASK carries one frame per id (empty: none yet),
    /// an UPDATE one frame beside its delta; without states the frames are version 1's exactly.
    func testRoundTripWithWorkerStates() throws {
        let cases: [(String, Message, frames: Int)] = [
            ("task with states", .task(round: 2, clientIds: [3, 1], model: [1, 2], states: [[0.5, -0.25], []]), 5),
            ("task, every state empty", .task(round: 1, clientIds: [0], model: [1, 2], states: [[]]), 4),
            ("update with state", .update(round: 2, clientId: 1, samples: 9, trainLoss: 0.5, delta: [1, 2], state: [-1, -2]), 3),
        ]
        for (name, message, count) in cases {
            let frames = MessageCodec.encode(message)
            XCTAssertEqual(frames.count, count, name)
            XCTAssertEqual(frames[0][7], MessageCodec.stateFlag, name)
            XCTAssertEqual(try MessageCodec.decode(frames), message, name)
        }
        XCTAssertEqual(MessageCodec.encode(.task(round: 2, clientIds: [3], model: [1], states: []))[0][7], 0)
        XCTAssertEqual(MessageCodec.encode(.update(round: 2, clientId: 3, samples: 1, trainLoss: 0, delta: [1], state: nil))[0][7], 0)
        // The state frame of an UPDATE: [-1.0, -2.0] as little-endian Float32.
        let u = MessageCodec.encode(.update(round: 2, clientId: 1, samples: 9, trainLoss: 0.5, delta: [1, 2], state: [-1, -2]))
        XCTAssertEqual(u[2], [0x00, 0x00, 0x80, 0xBF, 0x00, 0x00, 0x00, 0xC0])
    }

    // MARK: - Exact layout

    func testUpdateEncodesDocumentedBytes() {
        let frames = MessageCodec.encode(
            .update(round: 0x0102_0304, clientId: 7, samples: 600, trainLoss: 1.0, delta: [1.0, -2.0]))
        let expectedHeader: [UInt8] = [
            0x46, 0x53, 0x49, 0x4D,  // "FSIM"
            0x02, 0x00,  // version 2
            0x04,  // kind update
            0x00,  // flags
            0x04, 0x03, 0x02, 0x01,  // round
            0x07, 0x00, 0x00, 0x00,  // client id
            0x58, 0x02, 0x00, 0x00,  // samples 600
            0x02, 0x00, 0x00, 0x00,  // count 2
            0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x00,  // aux: loss 1.0f bits 0x3F800000
        ]
        XCTAssertEqual(frames.count, 2)
        XCTAssertEqual(frames[0], expectedHeader)
        XCTAssertEqual(frames[1], [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
    }

    func testHelloAndWelcomeLayout() {
        let hello = MessageCodec.encode(.hello(fingerprint: 0x1122_3344_5566_7788, clientIds: [1, 0x0100]))
        XCTAssertEqual(hello[0][6], 1)
        XCTAssertEqual(Array(hello[0][20..<24]), [2, 0, 0, 0])
        XCTAssertEqual(Array(hello[0][24..<32]), [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
        XCTAssertEqual(hello[1], [1, 0, 0, 0, 0, 1, 0, 0])

        let welcome = MessageCodec.encode(.welcome(fingerprint: 9, parameterCount: 7850, clientIds: [3]))
        XCTAssertEqual(welcome[0][6], 2)
        XCTAssertEqual(Array(welcome[0][16..<20]), [0xAA, 0x1E, 0, 0])  // parameterCount in samples
        XCTAssertEqual(Array(welcome[0][20..<24]), [1, 0, 0, 0])
    }

    /// WELCOME's third frame, the session document: UTF-8, capped, round-tripped.
    func testWelcomeSessionDocumentFrame() throws {
        let frames = MessageCodec.encode(.welcome(fingerprint: 1, parameterCount: 4, clientIds: [2], session: "{\"é\":1}"))
        XCTAssertEqual(frames.count, 3)
        XCTAssertEqual(frames[2], Array("{\"é\":1}".utf8))
        XCTAssertEqual(try MessageCodec.decode(frames), .welcome(fingerprint: 1, parameterCount: 4, clientIds: [2], session: "{\"é\":1}"))
        var bad = frames
        bad[2] = [0x7B, 0xC3]
        XCTAssertThrowsError(try MessageCodec.decode(bad)) { XCTAssertEqual(($0 as? CodecError)?.reasonCode, "bad_utf8") }
        var limits = CodecLimits()
        limits.maxSessionBytes = 3
        XCTAssertThrowsError(try MessageCodec.decode(frames, limits: limits)) {
            XCTAssertEqual($0 as? CodecError, .tooLarge(what: "sessionBytes", limit: 3, got: 8))
        }
        XCTAssertThrowsError(try MessageCodec.decode(Array(frames.prefix(2)))) {
            XCTAssertEqual(($0 as? CodecError)?.reasonCode, "frame_count")
        }
    }

    /// A version-1 HELLO is recognised (and nothing else is), and the refusal keeps the
    /// version-1 header with the SHUTDOWN layout.
    func testPreviousVersionHelloAndLegacyRefusal() throws {
        var hello = MessageCodec.encode(.hello(fingerprint: 5, clientIds: [1]))
        XCTAssertFalse(MessageCodec.isPreviousVersionHello(hello))
        hello[0][4] = 1
        XCTAssertTrue(MessageCodec.isPreviousVersionHello(hello))
        var update = MessageCodec.encode(.update(round: 1, clientId: 0, samples: 1, trainLoss: 0, delta: [0]))
        update[0][4] = 1
        XCTAssertFalse(MessageCodec.isPreviousVersionHello(update))
        var refusal = MessageCodec.legacyRefusal("rejected: old")
        XCTAssertEqual(Array(refusal[0][4..<6]), [1, 0])
        refusal[0][4] = UInt8(MessageCodec.version)
        XCTAssertEqual(try MessageCodec.decode(refusal), .shutdown(reason: "rejected: old"))
    }

    func testShutdownReasonIsCutAtCharacterBoundary() throws {
        let reason = String(repeating: "a", count: 1023) + "é" + "tail"  // é is 2 bytes
        let frames = MessageCodec.encode(.shutdown(reason: reason))
        XCTAssertEqual(frames[1].count, 1023)
        XCTAssertEqual(try MessageCodec.decode(frames), .shutdown(reason: String(repeating: "a", count: 1023)))
    }

    func testFirstNonFiniteFindsIndexAcrossChunks() {
        var values = [Float](repeating: 1, count: 10_000)
        XCTAssertNil(MessageCodec.firstNonFinite(values))
        values[9_999] = -.infinity
        XCTAssertEqual(MessageCodec.firstNonFinite(values), 9_999)
        values[5_000] = .nan
        XCTAssertEqual(MessageCodec.firstNonFinite(values), 5_000)
        values[0] = .signalingNaN
        XCTAssertEqual(MessageCodec.firstNonFinite(values), 0)
        XCTAssertNil(MessageCodec.firstNonFinite([]))
    }

    func testRequireFiniteCanBeDisabled() throws {
        let frames = MessageCodec.encode(.update(round: 1, clientId: 1, samples: 1, trainLoss: .infinity,
                                                 delta: [.infinity]))
        let limits = CodecLimits(requireFinite: false)
        guard case .update(_, _, _, let loss, let delta, _) = try MessageCodec.decode(frames, limits: limits) else {
            return XCTFail("expected update")
        }
        XCTAssertEqual(loss, .infinity)
        XCTAssertEqual(delta, [.infinity])
    }

    func testReasonCodesAreDistinct() {
        let errors: [CodecError] = [
            .noFrames, .headerSize(got: 0), .badMagic(got: []), .unsupportedVersion(got: 2), .unknownKind(got: 9),
            .badFlags(got: 1), .frameCount(kind: .task, expected: 3, got: 2),
            .bodySize(kind: .task, expectedBytes: 4, gotBytes: 3), .misalignedFrame(kind: .task, frame: 1, gotBytes: 3),
            .reservedField(kind: .heartbeat, field: "aux", got: 1), .tooLarge(what: "parameters", limit: 1, got: 2),
            .nonFinite(index: 0, kind: .update), .nonFiniteLoss(bits: 0), .badUTF8, .emptyClientIds(kind: .hello),
            .duplicateClientId(kind: .hello, id: 1),
        ]
        XCTAssertEqual(Set(errors.map(\.reasonCode)).count, errors.count)
        XCTAssertEqual(CodecError.tooLarge(what: "parameters", limit: 10, got: 11).description,
                       "parameters is 11; limit is 10")
    }
}
