@testable import FedSim
import FedWire
import Foundation
import Logging
import XCTest

/// The coordinator in this process, on a background thread, against hand-driven DEALER
/// sockets: every malformed or unexpected message is counted by reason and never aggregated,
/// and the valid updates give the weighted mean computed by hand.
final class CoordinatorTests: XCTestCase {
    private final class Box: @unchecked Sendable {
        let coordinator: Coordinator
        var records: [RoundRecord] = []
        var error: Error?
        init(_ c: Coordinator) { coordinator = c }
    }

    /// `s`'s coordinator on loopback tcp, running on a thread of its own; `done` is fulfilled
    /// when its run returns (its round records and error are in the box).
    private func startCoordinator(_ s: Scenario, data: FederationData) throws -> (box: Box, done: XCTestExpectation) {
        let coordinator = try Coordinator(scenario: s, data: data, endpoint: "tcp://127.0.0.1:*", logger: Logger(label: "test"))
        let box = Box(coordinator)
        let done = expectation(description: "coordinator finished")
        Thread {
            do { try box.coordinator.run(results: nil) { box.records.append($0) } } catch { box.error = error }
            done.fulfill()
        }.start()
        return (box, done)
    }

    private func scenario() throws -> Scenario {
        try Scenario.parse(yaml: """
            name: coordinator-test
            model: {kind: logistic}
            federation: {clients: 2, rounds: 2, deadline: 20, startup_timeout: 20, quorum: 1.0}
            """, file: "test.yaml", baseDirectory: NSTemporaryDirectory())
    }

    private func receive(_ s: ZMQSocket, timeout: Int = 10_000) throws -> Message {
        let until = Date().addingTimeInterval(Double(timeout) / 1000)
        while Date() < until {
            if try zmqPoll([(socket: s, events: .readable)], timeoutMilliseconds: 100).first?.contains(.readable) == true,
               let frames = try s.receive(dontWait: true) {
                let m = try MessageCodec.decode(frames)
                if case .heartbeat = m { continue }
                return m
            }
        }
        throw HarnessFailure("no message within \(timeout) ms")
    }

    func testHostileMessagesAreCountedAndDroppedAndTheMeanIsExact() throws {
        let s = try scenario()
        let data = try FederationData.prepare(s)
        let (box, done) = try startCoordinator(s, data: data)
        let coordinator = box.coordinator
        let initial = coordinator.global
        let d = initial.count
        // The aggregation weights are the shard sizes (an UPDATE must claim its own).
        let sizes = data.partition.sizes.map(UInt32.init)
        let (w0, w1) = (Float(sizes[0]), Float(sizes[1]))
        let mean = (1 * w0 + 3 * w1) / (w0 + w1)

        let context = try ZMQContext()
        defer { context.close() }
        let client = try ZMQSocket(context: context, type: .dealer)
        let stranger = try ZMQSocket(context: context, type: .dealer)
        let rival = try ZMQSocket(context: context, type: .dealer)
        for sock in [client, stranger, rival] { try sock.connect(coordinator.boundEndpoint) }

        try client.send(MessageCodec.encode(.hello(fingerprint: s.fingerprint, clientIds: [0, 1])))
        guard case let .welcome(_, count, accepted, _) = try receive(client) else { return XCTFail("expected WELCOME") }
        XCTAssertEqual(Int(count), d)
        XCTAssertEqual(accepted, [0, 1])
        guard case let .task(round, ids, model, _) = try receive(client) else { return XCTFail("expected TASK") }
        XCTAssertEqual(round, 1)
        XCTAssertEqual(ids, [0, 1])
        XCTAssertEqual(model, initial)

        // Hostile traffic during round 1, one of each kind of fault.
        var garbage = MessageCodec.encode(.heartbeat(round: 1))
        garbage[0][0] = UInt8(ascii: "X")
        try client.send(garbage)                                                        // bad_magic
        var nan = [Float](repeating: 0, count: d)
        nan[3] = .nan
        try client.send(MessageCodec.encode(.update(round: 1, clientId: 0, samples: 10, trainLoss: 0, delta: nan))) // non_finite
        try client.send(MessageCodec.encode(.update(round: 1, clientId: 0, samples: 10, trainLoss: 0, delta: [1, 2]))) // wrong_size
        let ones = [Float](repeating: 1, count: d)
        try client.send(MessageCodec.encode(.update(round: 0, clientId: 0, samples: 10, trainLoss: 0, delta: ones)))  // stale_round
        try client.send(MessageCodec.encode(.update(round: 7, clientId: 0, samples: 10, trainLoss: 0, delta: ones)))  // future_round
        try stranger.send(MessageCodec.encode(.update(round: 1, clientId: 0, samples: 10, trainLoss: 0, delta: ones))) // unknown_sender
        try stranger.send(MessageCodec.encode(.hello(fingerprint: s.fingerprint &+ 1, clientIds: [0])))             // fingerprint
        guard case let .shutdown(reason) = try receive(stranger) else { return XCTFail("expected a refusal") }
        XCTAssertTrue(reason.hasPrefix("rejected: fingerprint mismatch"), reason)
        try rival.send(MessageCodec.encode(.hello(fingerprint: s.fingerprint, clientIds: [1])))                     // id_taken
        guard case let .shutdown(refusal) = try receive(rival) else { return XCTFail("expected a refusal") }
        XCTAssertTrue(refusal.hasPrefix("rejected:"), refusal)
        try client.send(MessageCodec.encode(.task(round: 1, clientIds: [0], model: ones)))                        // unexpected_kind

        try client.send(MessageCodec.encode(.update(round: 1, clientId: 0, samples: sizes[0] + 1, trainLoss: 0.5,
                                                    delta: ones)))                                                // wrong_samples
        // The valid updates: weights the shard sizes, deltas 1 and 3.
        try client.send(MessageCodec.encode(.update(round: 1, clientId: 0, samples: sizes[0], trainLoss: 0.5, delta: ones)))
        try client.send(MessageCodec.encode(.update(round: 1, clientId: 0, samples: sizes[0], trainLoss: 0.5, delta: ones))) // duplicate
        try client.send(MessageCodec.encode(.update(round: 1, clientId: 1, samples: sizes[1], trainLoss: 0.5,
                                                    delta: [Float](repeating: 3, count: d))))

        guard case let .task(round2, _, model2, _) = try receive(client) else { return XCTFail("expected round 2") }
        XCTAssertEqual(round2, 2)
        for (a, b) in zip(model2, initial) { XCTAssertEqual(a, b + mean, accuracy: 1e-5) }
        for id in [UInt32(0), 1] {
            try client.send(MessageCodec.encode(.update(round: 2, clientId: id, samples: sizes[Int(id)], trainLoss: 0.1,
                                                        delta: [Float](repeating: 0, count: d))))
        }
        guard case .shutdown = try receive(client) else { return XCTFail("expected SHUTDOWN") }
        wait(for: [done], timeout: 20)
        XCTAssertNil(box.error)

        XCTAssertEqual(box.records.count, 2)
        let r1 = box.records[0]
        XCTAssertEqual(r1.received, 2)
        XCTAssertEqual(r1.rejectReasons, ["bad_magic": 1, "non_finite": 1, "wrong_size": 1, "stale_round": 1,
                                          "future_round": 1, "unknown_sender": 1, "fingerprint": 1, "id_taken": 1,
                                          "unexpected_kind": 1, "duplicate": 1, "wrong_samples": 1])
        XCTAssertEqual(r1.rejected, 11)
        XCTAssertEqual(box.records[1].rejected, 0)
        XCTAssertEqual(r1.clients.map(\.updateNorm)[0], Double(d).squareRoot(), accuracy: 1e-6)
        for (a, b) in zip(coordinator.global, initial) { XCTAssertEqual(a, b + mean, accuracy: 1e-5) }
        coordinator.close()
    }

    /// Protocol v2 sessions: WELCOME carries the session document; a repeated HELLO gets the
    /// open round's TASK again; a version-1 HELLO gets a version-1 refusal naming the versions;
    /// a silent process whose ids move to another is told so with a SHUTDOWN.
    func testReconnectionLegacyRefusalAndDisplacement() throws {
        let s = try Scenario.parse(yaml: """
            name: coordinator-session
            model: {kind: logistic}
            federation: {clients: 3, rounds: 1, deadline: 60, startup_timeout: 20, quorum: 1.0, heartbeat_timeout: 2}
            """, file: "test.yaml", baseDirectory: NSTemporaryDirectory())
        let data = try FederationData.prepare(s)
        let (box, done) = try startCoordinator(s, data: data)
        let coordinator = box.coordinator
        let context = try ZMQContext()
        defer { context.close() }
        let old = try ZMQSocket(context: context, type: .dealer)
        let legacy = try ZMQSocket(context: context, type: .dealer)
        let new = try ZMQSocket(context: context, type: .dealer)
        // `other` hosts client 2 and stays alive (heartbeats) without answering until the end, so
        // the round never closes early as "every missing client's process is silent" while
        // `old` is silent and `new` takes its ids over.
        let other = try ZMQSocket(context: context, type: .dealer)
        for sock in [old, legacy, new, other] { try sock.connect(coordinator.boundEndpoint) }
        let beat = MessageCodec.encode(.heartbeat(round: 1))
        try other.send(MessageCodec.encode(.hello(fingerprint: 0, clientIds: [2])))

        let hello = MessageCodec.encode(.hello(fingerprint: 0, clientIds: [0, 1]))   // 0: adopt the coordinator's
        try old.send(hello)
        guard case let .welcome(fingerprint, _, accepted, session) = try receive(old) else { return XCTFail("expected WELCOME") }
        XCTAssertEqual(fingerprint, s.fingerprint)
        XCTAssertEqual(accepted, [0, 1])
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(session.utf8)) as? [String: Any])
        XCTAssertEqual(document["protocol"] as? Int, 2)
        guard case .welcome = try receive(other) else { return XCTFail("expected WELCOME for client 2") }
        guard case let .task(1, ids, _, _) = try receive(old) else { return XCTFail("expected TASK 1") }
        XCTAssertEqual(ids, [0, 1])
        guard case .task(1, [2], _, _) = try receive(other) else { return XCTFail("expected TASK 1 for client 2") }
        // HELLO again (a client back from a dropped connection): WELCOME and the TASK again.
        try old.send(hello)
        guard case .welcome = try receive(old) else { return XCTFail("expected WELCOME again") }
        guard case let .task(1, again, _, _) = try receive(old) else { return XCTFail("expected TASK 1 again") }
        XCTAssertEqual(again, [0, 1])

        // A version-1 HELLO: a SHUTDOWN in a version-1 header.
        var v1 = hello
        v1[0][4] = 1
        try legacy.send(v1)
        var reply: [[UInt8]]?
        let until = Date().addingTimeInterval(10)
        while reply == nil && Date() < until {
            try other.send(beat)
            if try zmqPoll([(socket: legacy, events: .readable)], timeoutMilliseconds: 100).first?.contains(.readable) == true {
                reply = try legacy.receive(dontWait: true)
            }
        }
        var frames = try XCTUnwrap(reply, "no answer to a version-1 HELLO")
        XCTAssertEqual(frames[0][4], 1, "the refusal is in a version-1 header")
        frames[0][4] = UInt8(MessageCodec.version)
        guard case let .shutdown(reason) = try MessageCodec.decode(frames) else { return XCTFail("expected SHUTDOWN") }
        XCTAssertTrue(reason.contains("protocol version 1 is not supported"), reason)

        // `old` goes silent; `new` asks for its ids until they move (id_taken while `old` is alive).
        var moved = false
        let deadline = Date().addingTimeInterval(20)
        while !moved && Date() < deadline {
            try other.send(beat)
            try new.send(hello)
            if case .welcome? = try? receive(new, timeout: 500) { moved = true }
        }
        XCTAssertTrue(moved, "the ids never moved to the new process")
        guard case let .task(1, owed, _, _) = try receive(new) else { return XCTFail("expected the owed TASK") }
        XCTAssertEqual(owed, [0, 1])
        var told: String?
        while told == nil, case let m = try receive(old) {
            if case let .shutdown(r) = m { told = r }
        }
        XCTAssertTrue(told?.hasPrefix("rejected: clients [0, 1] are now hosted by another process") == true, told ?? "")

        let d = coordinator.global.count
        try other.send(MessageCodec.encode(.update(round: 1, clientId: 2, samples: UInt32(data.partition.sizes[2]),
                                                   trainLoss: 0.1, delta: [Float](repeating: 0, count: d))))
        for id in [0, 1] {
            try new.send(MessageCodec.encode(.update(round: 1, clientId: UInt32(id), samples: UInt32(data.partition.sizes[id]),
                                                     trainLoss: 0.1, delta: [Float](repeating: 0, count: d))))
        }
        guard case let .shutdown(end) = try receive(new) else { return XCTFail("expected SHUTDOWN") }
        XCTAssertEqual(end, "run complete")
        wait(for: [done], timeout: 20)
        XCTAssertNil(box.error)
        XCTAssertEqual(box.records.first?.received, 3)
        XCTAssertEqual(box.records.first?.rejectReasons["bad_version"], 1)
        XCTAssertGreaterThan(box.records.first?.rejectReasons["id_taken"] ?? 0, 0)
        coordinator.close()
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
