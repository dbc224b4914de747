import XCTest
@testable import FedWire

final class CodecRejectionTests: XCTestCase {
    private let update = MessageCodec.encode(
        .update(round: 2, clientId: 5, samples: 10, trainLoss: 0.5, delta: [1, 2, 3, 4]))
    private let task = MessageCodec.encode(.task(round: 2, clientIds: [1, 2], model: [1, 2, 3]))
    private let hello = MessageCodec.encode(.hello(fingerprint: 42, clientIds: [1, 2, 3]))

    /// `frames` with header byte `offset` replaced by the little-endian bytes of `value`.
    private func patch<T: FixedWidthInteger>(_ frames: [[UInt8]], at offset: Int, _ value: T) -> [[UInt8]] {
        var frames = frames
        withUnsafeBytes(of: value.littleEndian) { bytes in
            for (i, b) in bytes.enumerated() { frames[0][offset + i] = b }
        }
        return frames
    }

    private func floatBytes(_ values: [Float]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    func testRejections() {
        var utf8 = MessageCodec.encode(.shutdown(reason: "ab"))
        utf8[1] = [0xC3, 0x28]  // invalid 2-byte sequence, same length
        let emptyHello = [MessageHeader(kind: .hello).encoded(), []]
        let dupHello = MessageCodec.encode(.hello(fingerprint: 1, clientIds: [4, 9, 4]))
        let dupTask = MessageCodec.encode(.task(round: 1, clientIds: [8, 8], model: [1]))
        let emptyTask = [MessageHeader(kind: .task, count: 1).encoded(), [], floatBytes([1])]

        let cases: [(String, [[UInt8]], CodecError)] = [
            ("no frames", [], .noFrames),
            ("short header", [Array(update[0].prefix(31)), update[1]], .headerSize(got: 31)),
            ("long header", [update[0] + [0], update[1]], .headerSize(got: 33)),
            ("bad magic", patch(update, at: 0, UInt8(ascii: "X")), .badMagic(got: Array("XSIM".utf8))),
            ("version 1", patch(update, at: 4, UInt16(1)), .unsupportedVersion(got: 1)),
            ("version 3", patch(update, at: 4, UInt16(3)), .unsupportedVersion(got: 3)),
            ("version 0", patch(update, at: 4, UInt16(0)), .unsupportedVersion(got: 0)),
            ("kind 0", patch(update, at: 6, UInt8(0)), .unknownKind(got: 0)),
            ("kind 7", patch(update, at: 6, UInt8(7)), .unknownKind(got: 7)),
            ("flags", patch(update, at: 7, UInt8(0x80)), .badFlags(got: 0x80)),
            ("update missing body", [update[0]], .frameCount(kind: .update, expected: 2, got: 1)),
            ("update extra frame", update + [[]], .frameCount(kind: .update, expected: 2, got: 3)),
            ("task missing model", Array(task.prefix(2)), .frameCount(kind: .task, expected: 3, got: 2)),
            ("heartbeat with body", MessageCodec.encode(.heartbeat(round: 1)) + [[1]],
             .frameCount(kind: .heartbeat, expected: 1, got: 2)),
            ("delta not multiple of 4", [update[0], Array(update[1].dropLast())],
             .bodySize(kind: .update, expectedBytes: 16, gotBytes: 15)),
            ("delta count mismatch", [update[0], Array(update[1].dropLast(4))],
             .bodySize(kind: .update, expectedBytes: 16, gotBytes: 12)),
            ("model count mismatch", [task[0], task[1], task[2] + floatBytes([1])],
             .bodySize(kind: .task, expectedBytes: 12, gotBytes: 16)),
            ("hello count mismatch", patch(hello, at: 20, UInt32(2)),
             .bodySize(kind: .hello, expectedBytes: 8, gotBytes: 12)),
            ("task id frame misaligned", [task[0], task[1] + [0], task[2]],
             .misalignedFrame(kind: .task, frame: 1, gotBytes: 9)),
            ("delta over limit", patch(update, at: 20, UInt32(50_000_001)),
             .tooLarge(what: "parameters", limit: 50_000_000, got: 50_000_001)),
            ("count u32 max", patch(update, at: 20, UInt32.max),
             .tooLarge(what: "parameters", limit: 50_000_000, got: Int(UInt32.max))),
            ("ids over limit", patch(hello, at: 20, UInt32(100_001)),
             .tooLarge(what: "clientIds", limit: 100_000, got: 100_001)),
            ("reason over limit", patch(MessageCodec.encode(.shutdown(reason: "x")), at: 20, UInt32(1025)),
             .tooLarge(what: "reasonBytes", limit: 1024, got: 1025)),
            ("NaN in delta", [update[0], floatBytes([1, 2, .nan, 4])], .nonFinite(index: 2, kind: .update)),
            ("+Inf in delta", [update[0], floatBytes([.infinity, 2, 3, 4])], .nonFinite(index: 0, kind: .update)),
            ("NaN in model", [task[0], task[1], floatBytes([1, 2, .nan])], .nonFinite(index: 2, kind: .task)),
            ("+Inf in model", [task[0], task[1], floatBytes([1, .infinity, 3])], .nonFinite(index: 1, kind: .task)),
            ("NaN loss", patch(update, at: 24, UInt64(0x7FC0_0000)), .nonFiniteLoss(bits: 0x7FC0_0000)),
            ("loss high bits", patch(update, at: 28, UInt32(1)),
             .reservedField(kind: .update, field: "aux.high32", got: 1)),
            ("invalid UTF-8", utf8, .badUTF8),
            ("empty hello ids", emptyHello, .emptyClientIds(kind: .hello)),
            ("empty task ids", emptyTask, .emptyClientIds(kind: .task)),
            ("duplicate hello id", dupHello, .duplicateClientId(kind: .hello, id: 4)),
            ("duplicate task id", dupTask, .duplicateClientId(kind: .task, id: 8)),
            ("heartbeat with client id", patch(MessageCodec.encode(.heartbeat(round: 1)), at: 12, UInt32(3)),
             .reservedField(kind: .heartbeat, field: "clientId", got: 3)),
            ("hello with round", patch(hello, at: 8, UInt32(1)), .reservedField(kind: .hello, field: "round", got: 1)),
            ("task with aux", patch(task, at: 24, UInt64(5)), .reservedField(kind: .task, field: "aux", got: 5)),
        ]
        for (name, frames, expected) in cases {
            XCTAssertThrowsError(try MessageCodec.decode(frames), name) { error in
                XCTAssertEqual(error as? CodecError, expected, name)
            }
        }
    }

    /// The state flag (bit 0, TASK and UPDATE only) and the frames it adds.
    func testStateFrameRejections() {
        let stateUpdate = MessageCodec.encode(.update(round: 1, clientId: 2, samples: 3, trainLoss: 0.5,
                                                      delta: [1, 2], state: [3, 4]))
        let stateTask = MessageCodec.encode(.task(round: 1, clientIds: [4, 5], model: [1, 2], states: [[3, 4], []]))
        let cases: [(String, [[UInt8]], CodecError)] = [
            ("flag on a heartbeat", patch(MessageCodec.encode(.heartbeat(round: 1)), at: 7, UInt8(1)), .badFlags(got: 1)),
            ("flag on a hello", patch(hello, at: 7, UInt8(1)), .badFlags(got: 1)),
            ("undefined flag on an update", patch(stateUpdate, at: 7, UInt8(3)), .badFlags(got: 3)),
            ("update flag without its frame", Array(stateUpdate.prefix(2)), .frameCount(kind: .update, expected: 3, got: 2)),
            ("update state frame without the flag", patch(stateUpdate, at: 7, UInt8(0)),
             .frameCount(kind: .update, expected: 2, got: 3)),
            ("update state of another length", [stateUpdate[0], stateUpdate[1], floatBytes([3])],
             .bodySize(kind: .update, expectedBytes: 8, gotBytes: 4)),
            ("NaN in an update state", [stateUpdate[0], stateUpdate[1], floatBytes([3, .nan])],
             .nonFinite(index: 1, kind: .update)),
            ("task with fewer states than ids", Array(stateTask.prefix(4)), .frameCount(kind: .task, expected: 5, got: 4)),
            ("task flag and no state at all", Array(stateTask.prefix(3)), .frameCount(kind: .task, expected: 4, got: 3)),
            ("task with more states than ids", stateTask + [[]], .frameCount(kind: .task, expected: 5, got: 6)),
            ("task state of another length", [stateTask[0], stateTask[1], stateTask[2], floatBytes([1, 2, 3]), []],
             .bodySize(kind: .task, expectedBytes: 8, gotBytes: 12)),
            ("Inf in a task state", [stateTask[0], stateTask[1], stateTask[2], [], floatBytes([.infinity, 1])],
             .nonFinite(index: 0, kind: .task)),
        ]
        for (name, frames, expected) in cases {
            XCTAssertThrowsError(try MessageCodec.decode(frames), name) { error in
                XCTAssertEqual(error as? CodecError, expected, name)
            }
        }
    }

    func testWelcomeParameterCountOverLimit() {
        let frames = MessageCodec.encode(.welcome(fingerprint: 1, parameterCount: 11, clientIds: [1]))
        XCTAssertThrowsError(try MessageCodec.decode(frames, limits: CodecLimits(maxParameters: 10))) { error in
            XCTAssertEqual(error as? CodecError, .tooLarge(what: "parameterCount", limit: 10, got: 11))
        }
    }

    /// Deterministic mutation loop: flipped bytes, truncated / extended / dropped / duplicated
    /// frames, random header fields. `decode` must throw or return, never trap.
    func testRandomMutationsNeverCrash() {
        var rng = SplitMix64(seed: 0x5EED)
        let seeds: [[[UInt8]]] = [
            MessageCodec.encode(.hello(fingerprint: 1, clientIds: [1, 2, 3])),
            MessageCodec.encode(.welcome(fingerprint: 2, parameterCount: 4, clientIds: [1])),
            MessageCodec.encode(.task(round: 3, clientIds: [1, 2], model: [1, 2, 3, 4])),
            MessageCodec.encode(.update(round: 3, clientId: 2, samples: 9, trainLoss: 0.1, delta: [1, 2, 3, 4])),
            MessageCodec.encode(.heartbeat(round: 3)),
            MessageCodec.encode(.shutdown(reason: "done ✓")),
        ]
        let limits = CodecLimits(maxParameters: 64, maxClientIds: 64, maxReasonBytes: 64)
        var decoded = 0, rejected = 0
        for _ in 0..<20_000 {
            var frames = seeds[Int(rng.next() % UInt64(seeds.count))]
            let mutations = 1 + Int(rng.next() % 4)
            for _ in 0..<mutations {
                mutate(&frames, &rng)
            }
            do {
                _ = try MessageCodec.decode(frames, limits: limits)
                decoded += 1
            } catch {
                rejected += 1
            }
        }
        XCTAssertEqual(decoded + rejected, 20_000)
        XCTAssertGreaterThan(rejected, 0)
    }

    private func mutate(_ frames: inout [[UInt8]], _ rng: inout SplitMix64) {
        guard !frames.isEmpty else {
            frames.append((0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            return
        }
        let f = Int(rng.next() % UInt64(frames.count))
        switch rng.next() % 7 {
        case 0:  // flip a byte anywhere
            if !frames[f].isEmpty {
                let i = Int(rng.next() % UInt64(frames[f].count))
                frames[f][i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
        case 1:  // truncate a frame
            frames[f].removeLast(Int(rng.next() % UInt64(frames[f].count + 1)))
        case 2:  // extend a frame
            frames[f] += (0..<Int(rng.next() % 9)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case 3:  // drop a frame
            frames.remove(at: f)
        case 4:  // duplicate a frame
            frames.insert(frames[f], at: f)
        default:  // overwrite a header field (past the magic) with a random value
            if frames[0].count == MessageCodec.headerSize {
                let i = 4 + Int(rng.next() % 28)
                frames[0][i] = UInt8(truncatingIfNeeded: rng.next())
            }
        }
    }
}

/// Small deterministic generator for the mutation test (no dependency on FedCore).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
