@testable import FedSim
import FedWire
import Foundation
import XCTest

/// The adversary hub on a `MemoryNetwork`, with its colluding client processes (and, when
/// omniscient, the coordinator's tap) played by the test: it gathers the colluders' honest
/// updates, crafts once, replies to each, waits no longer than its timeout, and ends when
/// every process it registered is done. Manual clock, no socket.
final class AdversaryHubLoopTests: XCTestCase {
    private struct Rig {
        let hub: AdversaryHub
        let net: MemoryNetwork
        let server: MemoryServerTransport
        let scenario: Scenario
        let attackers: [Int]
        var now: Double { net.manualClock.elapsed }
    }

    private func rig(_ yaml: String, tap: Bool = false) throws -> Rig {
        let s = try Tiny.scenario(yaml, name: "hub-loop")
        let net = MemoryNetwork(timeLimit: 600)
        let hub = try AdversaryHub(scenario: s, attacks: try AttackFactory.hubAttacks(s), parameterCount: 2, network: net,
                                   bind: "memory://hub", tapBind: tap ? "memory://tap" : nil, logger: Tiny.logger)
        return Rig(hub: hub, net: net, server: try XCTUnwrap(net.server("hub")), scenario: s,
                   attackers: AttackPlan(s).members[0])
    }

    private func hello(_ r: Rig, _ ids: [Int]) -> Message {
        .hello(fingerprint: r.scenario.fingerprint, clientIds: ids.map(UInt32.init))
    }

    private func update(_ client: Int, _ delta: [Float], round: UInt32 = 1) -> Message {
        .update(round: round, clientId: UInt32(client), samples: 10, trainLoss: 0.5, delta: delta)
    }

    /// The replies the hub sent, by identity, with their time.
    private final class Inbox {
        var byIdentity: [[UInt8]: [(time: Double, message: Message)]] = [:]
        func read(_ r: Rig) {
            for (identity, m) in r.server.takeMessages() { byIdentity[identity, default: []].append((r.now, m)) }
        }
        func updates(_ identity: [UInt8]) -> [(time: Double, delta: [Float], client: UInt32)] {
            (byIdentity[identity] ?? []).compactMap {
                if case let .update(_, id, _, _, delta, _) = $0.message { return ($0.time, delta, id) } else { return nil }
            }
        }
    }

    func testCollectsTheColludersCraftsOnceAndRepliesToEach() throws {
        let r = try rig("federation: {clients: 5, deadline: 30}\nattack: {kind: alie, malicious: 2, z: 1}")
        XCTAssertEqual(r.attackers.count, 2)
        let identities: [[UInt8]] = [[1], [2]]
        let honest: [[Float]] = [[1, 2], [3, 6]]
        let inbox = Inbox()
        var stage = 0
        r.net.onIdle = {
            inbox.read(r)
            switch stage {
            case 0:
                for (identity, id) in zip(identities, r.attackers) { r.server.push(self.hello(r, [id]), from: identity) }
                stage = 1
            case 1 where inbox.byIdentity.count == 2:
                for (i, (identity, id)) in zip(identities, r.attackers).enumerated() { r.server.push(self.update(id, honest[i]), from: identity) }
                stage = 2
            case 2 where identities.allSatisfy({ !inbox.updates($0).isEmpty }):
                for identity in identities { r.server.push(.shutdown(reason: "done"), from: identity) }
                stage = 3
            default:
                break
            }
        }

        try r.hub.run(parentPid: nil)

        for (identity, id) in zip(identities, r.attackers) {
            XCTAssertEqual(inbox.byIdentity[identity]?.first?.message,
                           .welcome(fingerprint: r.scenario.fingerprint, parameterCount: 2, clientIds: [UInt32(id)]))
            XCTAssertEqual(inbox.updates(identity).map(\.client), [UInt32(id)])
        }
        // ALIE with z = 1 on {(1,2), (3,6)}: mean (2, 4) + std with ddof 1 (sqrt 2, sqrt 8).
        let expected: [Float] = [2 + Float(2).squareRoot(), 4 + Float(8).squareRoot()]
        let crafted = identities.map { inbox.updates($0)[0].delta }
        XCTAssertEqual(crafted[0], crafted[1], "colluders send the same update")
        for (a, b) in zip(crafted[0], expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(r.hub.craftedCount, 1)
        XCTAssertEqual(r.now, 0, "it crafted the moment the last update arrived; no time passed")
    }

    func testCraftsWithWhatItHasWhenTheTimeoutPasses() throws {
        // deadline 30: the hub waits max(1, 30 / 3) = 10 s after the first submission.
        let r = try rig("federation: {clients: 5, deadline: 30}\nattack: {kind: alie, malicious: 2, z: 1}")
        let inbox = Inbox()
        var stage = 0
        var submitted = 0.0
        r.net.onIdle = {
            inbox.read(r)
            switch stage {
            case 0:
                r.server.push(self.hello(r, [r.attackers[0]]), from: [1])
                r.server.push(self.hello(r, [r.attackers[1]]), from: [2])
                stage = 1
            case 1 where r.now >= 2:
                r.server.push(self.update(r.attackers[0], [1, 2]), from: [1])   // the other never submits
                submitted = r.now
                stage = 2
            case 2 where !inbox.updates([1]).isEmpty:
                for identity: [UInt8] in [[1], [2]] { r.server.push(.shutdown(reason: "done"), from: identity) }
                stage = 3
            default:
                break
            }
        }

        try r.hub.run(parentPid: nil)

        let reply = try XCTUnwrap(inbox.updates([1]).first)
        XCTAssertGreaterThanOrEqual(reply.time - submitted, 10)
        XCTAssertLessThanOrEqual(reply.time - submitted, 10.2 + 1e-9, "the first turn after the timeout (turns are 200 ms apart)")
        // ALIE cannot run on one update (ddof 1): the attacker gets its honest update back.
        XCTAssertEqual(reply.delta, [1, 2])
        XCTAssertTrue(inbox.updates([2]).isEmpty)
        XCTAssertEqual(r.hub.craftedCount, 0)
    }

    func testRefusesOtherScenariosHonestClientsAndStrangers() throws {
        let r = try rig("federation: {clients: 5, deadline: 30}\nattack: {kind: alie, malicious: 2, z: 1}")
        let honestId = try XCTUnwrap((0..<5).first { !r.attackers.contains($0) })
        let inbox = Inbox()
        var stage = 0
        r.net.onIdle = {
            inbox.read(r)
            switch stage {
            case 0:
                r.server.push(.hello(fingerprint: r.scenario.fingerprint &+ 1, clientIds: [UInt32(r.attackers[0])]), from: [7])
                r.server.push(self.hello(r, [honestId]), from: [8])
                r.server.push(self.update(r.attackers[0], [1, 1]), from: [9])             // never registered
                r.server.push(self.hello(r, r.attackers), from: [1])
                stage = 1
            case 1 where r.now >= 15:
                r.server.push(.shutdown(reason: "done"), from: [1])
                stage = 2
            default:
                break
            }
        }

        try r.hub.run(parentPid: nil)

        XCTAssertEqual(inbox.byIdentity[[7]]?.map(\.message), [.shutdown(reason: "rejected: scenario fingerprint differs from the hub's")])
        XCTAssertEqual(inbox.byIdentity[[8]]?.map(\.message), [.shutdown(reason: "rejected: none of these clients is malicious")])
        XCTAssertNil(inbox.byIdentity[[9]], "an update from an unregistered process is ignored")
        XCTAssertEqual(r.hub.craftedCount, 0)
        XCTAssertEqual(r.now, 15, accuracy: 0.21, "the hub ran until its only process was done")
    }

    func testOmniscientAttackersWaitForTheTappedHonestUpdates() throws {
        let r = try rig("federation: {clients: 5, deadline: 30}\nattack: {kind: alie, malicious: 2, z: 1, knowledge: omniscient}",
                        tap: true)
        XCTAssertEqual(r.hub.tapEndpoint, "memory://tap")
        let tap = try XCTUnwrap(r.net.clients("tapReceiver").first)
        let honestIds = (0..<5).filter { !r.attackers.contains($0) }
        let honest: [[Float]] = [[1, 2], [3, 6], [5, 10]]
        let inbox = Inbox()
        var stage = 0
        r.net.onIdle = {
            inbox.read(r)
            switch stage {
            case 0:
                r.server.push(self.hello(r, r.attackers), from: [1])
                for id in r.attackers { r.server.push(self.update(id, [0, 0]), from: [1]) }
                // The tap forwards every update the coordinator accepted, the attackers' included.
                for id in r.attackers { tap.push(self.update(id, [9, 9])) }
                tap.push(self.update(honestIds[0], honest[0]))
                tap.push(self.update(honestIds[1], honest[1]))
                stage = 1
            case 1 where r.now >= 3:
                tap.push(self.update(honestIds[2], honest[2]))
                stage = 2
            case 2 where !inbox.updates([1]).isEmpty:
                r.server.push(.shutdown(reason: "done"), from: [1])
                stage = 3
            default:
                break
            }
        }

        try r.hub.run(parentPid: nil)

        let replies = inbox.updates([1])
        XCTAssertEqual(replies.map(\.client).sorted(), r.attackers.map(UInt32.init))
        XCTAssertEqual(replies.first?.time ?? 0, 3, accuracy: 0.21, "it waited for the third honest update")
        // ALIE with z = 1 on the three honest updates only: mean (3, 6) + std (2, 4).
        for reply in replies { XCTAssertEqual(reply.delta, [5, 10]) }
    }
}
