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
        let coordinator = try Coordinator(scenario: s, data: data, endpoint: "tcp://127.0.0.1:*",
                                          logger: Logger(label: "test"))
        let box = Box(coordinator)
        let initial = coordinator.global
        let d = initial.count
        let done = expectation(description: "coordinator finished")
        let thread = Thread {
            do { try box.coordinator.run(results: nil) { box.records.append($0) } } catch { box.error = error }
            done.fulfill()
        }
        thread.start()

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

        // The valid updates: weights 10 and 30, deltas 1 and 3 -> mean 2.5 per coordinate.
        try client.send(MessageCodec.encode(.update(round: 1, clientId: 0, samples: 10, trainLoss: 0.5, delta: ones)))
        try client.send(MessageCodec.encode(.update(round: 1, clientId: 0, samples: 10, trainLoss: 0.5, delta: ones))) // duplicate
        try client.send(MessageCodec.encode(.update(round: 1, clientId: 1, samples: 30, trainLoss: 0.5,
                                                    delta: [Float](repeating: 3, count: d))))

        guard case let .task(round2, _, model2, _) = try receive(client) else { return XCTFail("expected round 2") }
        XCTAssertEqual(round2, 2)
        for (a, b) in zip(model2, initial) { XCTAssertEqual(a, b + 2.5, accuracy: 1e-5) }
        for id in [UInt32(0), 1] {
            try client.send(MessageCodec.encode(.update(round: 2, clientId: id, samples: 5, trainLoss: 0.1,
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
                                          "unexpected_kind": 1, "duplicate": 1])
        XCTAssertEqual(r1.rejected, 10)
        XCTAssertEqual(box.records[1].rejected, 0)
        XCTAssertEqual(r1.clients.map(\.updateNorm)[0], Double(d).squareRoot(), accuracy: 1e-6)
        for (a, b) in zip(coordinator.global, initial) { XCTAssertEqual(a, b + 2.5, accuracy: 1e-5) }
        coordinator.close()
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
