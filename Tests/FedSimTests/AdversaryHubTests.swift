import FedAttacks
@testable import FedSim
import FedWire
import Foundation
import Logging
import XCTest

/// The adversary hub in this process against two hand-driven malicious clients: it waits for
/// both honest updates, sends both the same crafted ALIE update (computed by hand), and ends
/// when both client processes say they are done.
final class AdversaryHubTests: XCTestCase {
    private final class Box: @unchecked Sendable {
        let hub: AdversaryHub
        var error: Error?
        init(_ h: AdversaryHub) { hub = h }
    }

    /// The next message on `s` that `wanted` accepts (the poll blocks until one arrives; 10 s is
    /// only the bound for a failure).
    private func receive(_ s: ZMQSocket, _ what: String, _ wanted: (Message) -> Bool) throws -> Message {
        let until = Date().addingTimeInterval(10)
        while Date() < until {
            let left = Int(max(1, until.timeIntervalSinceNow * 1000))
            if try zmqPoll([(socket: s, events: .readable)], timeoutMilliseconds: left).first?.contains(.readable) == true,
               let frames = try s.receive(dontWait: true) {
                let m = try MessageCodec.decode(frames)
                if wanted(m) { return m }
            }
        }
        throw HarnessFailure("no \(what) within 10 s")
    }

    private func receiveUpdate(_ s: ZMQSocket) throws -> Message {
        try receive(s, "crafted update") { if case .update = $0 { return true } else { return false } }
    }

    func testColludersReceiveTheSameCraftedUpdateAndTheHubEnds() throws {
        let scenario = try Scenario.parse(yaml: """
            federation: {clients: 5, deadline: 30}
            attack: {kind: alie, malicious: 2, z: 1}
            """, file: "hub.yaml", baseDirectory: NSTemporaryDirectory())
        let plan = AttackPlan(scenario)
        let ids = plan.members[0]
        XCTAssertEqual(ids.count, 2)
        let hub = try AdversaryHub(scenario: scenario, attacks: try AttackFactory.hubAttacks(scenario), parameterCount: 2,
                                   bind: "tcp://127.0.0.1:*", tapBind: nil, logger: Logger(label: "hub-test"))
        let box = Box(hub)
        let ended = expectation(description: "hub ended")
        let thread = Thread {
            do { try box.hub.run(parentPid: nil) } catch { box.error = error }
            ended.fulfill()
        }
        thread.start()

        let context = try ZMQContext()
        defer { context.close() }
        let sockets = try ids.map { _ in try ZMQSocket(context: context, type: .dealer) }
        let honest: [[Float]] = [[1, 2], [3, 6]]
        for (s, id) in zip(sockets, ids) {
            try s.connect(hub.endpoint)
            try s.send(MessageCodec.encode(.hello(fingerprint: scenario.fingerprint, clientIds: [UInt32(id)])))
        }
        // Registered once the hub has answered each HELLO.
        for s in sockets { _ = try receive(s, "WELCOME") { if case .welcome = $0 { return true } else { return false } } }
        for (i, (s, id)) in zip(sockets, ids).enumerated() {
            try s.send(MessageCodec.encode(.update(round: 1, clientId: UInt32(id), samples: 10, trainLoss: 0.5, delta: honest[i])))
        }
        // ALIE with z = 1 on {(1,2), (3,6)}: mean (2, 4) + std with ddof 1 (sqrt 2, sqrt 8).
        let expected: [Float] = [2 + Float(2).squareRoot(), 4 + Float(8).squareRoot()]
        var crafted: [[Float]] = []
        for (s, id) in zip(sockets, ids) {
            guard case let .update(round, client, samples, loss, delta, _) = try receiveUpdate(s) else { return XCTFail() }
            XCTAssertEqual(round, 1)
            XCTAssertEqual(Int(client), id)
            XCTAssertEqual(samples, 10)
            XCTAssertEqual(loss, 0.5)
            crafted.append(delta)
        }
        XCTAssertEqual(crafted[0], crafted[1], "colluders send the same update")
        for (a, b) in zip(crafted[0], expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(hub.craftedCount, 1)

        for s in sockets { try s.send(MessageCodec.encode(.shutdown(reason: "done"))) }
        wait(for: [ended], timeout: 10)
        XCTAssertNil(box.error)
        hub.close()
    }
}
