@testable import FedSim
import FedWire
import Foundation
import XCTest

/// The coordinator's round logic on a `MemoryNetwork`: registration, rounds that close when
/// every update arrived, at the deadline, or early when the missing clients' process is
/// silent, the quorum, hostile messages, heartbeats and the tap. One thread, a manual clock,
/// no socket: every time below is exact, whatever the machine.
final class CoordinatorRoundTests: XCTestCase {
    private struct Rig {
        let coordinator: Coordinator
        let net: MemoryNetwork
        let server: MemoryServerTransport
        let peers: FakeClientProcesses
        let d: Int
        let initial: [Float]
    }

    private func rig(_ yaml: String, tap: Bool = false, curve: ServerCurve? = nil) throws -> Rig {
        let s = try Tiny.scenario(yaml, name: "coordinator-round")
        let data = try FederationData.prepare(s)
        let net = MemoryNetwork(timeLimit: 600)
        let c = try Coordinator(scenario: s, data: data, network: net, endpoint: "memory://coordinator",
                                tapEndpoint: tap ? "memory://tap" : nil, curve: curve, logger: Tiny.logger)
        c.checksShardSizes = false   // the fake processes claim chosen weights
        let server = try XCTUnwrap(net.server("coordinator"))
        let peers = FakeClientProcesses(server: server, clock: net.manualClock, scenario: s, parameters: c.global.count)
        net.onIdle = { peers.step() }
        return Rig(coordinator: c, net: net, server: server, peers: peers, d: c.global.count, initial: c.global)
    }

    private func run(_ rig: Rig) throws -> [RoundRecord] {
        var records: [RoundRecord] = []
        try rig.coordinator.run(results: nil) { records.append($0) }
        rig.peers.step()  // collect the closing SHUTDOWNs
        return records
    }

    // MARK: - Registration

    func testRegistrationWelcomesOwnedIdsAndRefusesTheRest() throws {
        let r = try rig("federation: {clients: 3, rounds: 1, deadline: 10, quorum: 1.0}")
        let a = r.peers.add([1], ids: [0, 1])
        let rival = r.peers.add([2], ids: [1])            // id 1 is taken by a live process
        rival.helloAt = 0.5
        rival.alive = false
        let stranger = r.peers.add([3], ids: [2, 7])      // 7 is outside 0..<3; 2 is accepted
        stranger.helloAt = 1
        let impostor = r.peers.add([4], ids: [2])
        impostor.hello = .hello(fingerprint: r.coordinator.scenario.fingerprint &+ 1, clientIds: [2])
        impostor.alive = false
        // Before the round opens, an update from a registered process is counted in round 1.
        r.peers.inject(FakeClientProcesses.update(round: 1, client: 0, samples: 1, value: 0, parameters: r.d), from: [1], at: 0.2)

        let records = try run(r)

        XCTAssertTrue(r.coordinator.registrationComplete)
        XCTAssertEqual(a.welcomes, [[0, 1]])
        XCTAssertEqual(stranger.welcomes, [[2]])
        XCTAssertEqual(rival.welcomes, [])
        XCTAssertTrue(rival.shutdowns.first?.hasPrefix("rejected: none of the client ids [1]") == true, "\(rival.shutdowns)")
        XCTAssertTrue(impostor.shutdowns.first?.hasPrefix("rejected: fingerprint mismatch") == true, "\(impostor.shutdowns)")
        // Registration took as long as the last HELLO (1 s on the manual clock), no longer.
        let firstTask = try XCTUnwrap(a.tasks.first?.time)
        XCTAssertEqual(firstTask, 1, accuracy: 0.11)
        XCTAssertEqual(records.first?.rejectReasons, ["id_taken": 1, "unknown_client": 1, "fingerprint": 1, "no_round_open": 1])
        XCTAssertEqual(records.first?.received, 3)
    }

    func testRegistrationTimesOutOnTheManualClock() throws {
        let r = try rig("federation: {clients: 2, rounds: 1, startup_timeout: 20}")
        r.peers.add([1], ids: [0])
        XCTAssertThrowsError(try run(r)) { error in
            guard case let CoordinatorError.registrationTimeout(registered, expected, seconds)? = error as? CoordinatorError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual([registered, expected], [1, 2])
            XCTAssertEqual(seconds, 20)
        }
        XCTAssertEqual(r.net.manualClock.elapsed, 20, accuracy: 1e-6)
    }

    // MARK: - Rounds

    func testRoundWithEveryUpdateAppliesTheWeightedMeanAtOnce() throws {
        let r = try rig("federation: {clients: 2, rounds: 2, deadline: 30, quorum: 1.0}")
        let a = r.peers.add([1], ids: [0])
        let b = r.peers.add([2], ids: [1])
        b.respond = { task in
            task.ids.map { FakeClientProcesses.update(round: task.round, client: $0, samples: 30, value: 3, parameters: r.d) }
        }

        let records = try run(r)

        // Weights 10 and 30, deltas 1 and 3: the mean is 2.5 per coordinate, every round.
        XCTAssertEqual(records.map(\.received), [2, 2])
        XCTAssertEqual(records.map(\.rejected), [0, 0])
        XCTAssertEqual(a.tasks.map(\.round), [1, 2])
        XCTAssertEqual(a.tasks.map(\.ids), [[0], [0]])
        XCTAssertEqual(a.tasks[0].model, r.initial)
        for (x, x0) in zip(a.tasks[1].model, r.initial) { XCTAssertEqual(x, x0 + 2.5, accuracy: 1e-5) }
        for (x, x0) in zip(r.coordinator.global, r.initial) { XCTAssertEqual(x, x0 + 5, accuracy: 1e-5) }
        // Every update arrived at once: the rounds did not wait for the deadline.
        XCTAssertLessThan(a.tasks[1].time, 0.5)
        XCTAssertEqual(a.shutdowns, ["run complete"])
        XCTAssertEqual(b.shutdowns, ["run complete"])
    }

    func testRoundClosesAtTheDeadlineWithoutTheMissingClient() throws {
        let r = try rig("federation: {clients: 3, rounds: 2, deadline: 10, heartbeat_timeout: 30, quorum: 0.5}")
        let a = r.peers.add([1], ids: [0, 1])
        let late = r.peers.add([2], ids: [2])
        late.respond = { _ in [] }                         // alive (heartbeats), never answers

        let records = try run(r)

        XCTAssertEqual(records.map(\.received), [2, 2])
        let round1 = try XCTUnwrap(records.first)
        XCTAssertEqual(round1.clients.map(\.responded), [true, true, false])
        XCTAssertEqual(round1.clients.map(\.sampled), [true, true, true])
        // Round 2 started when round 1's 10 s deadline passed.
        let starts = a.tasks.map(\.time)
        XCTAssertEqual(starts[1] - starts[0], 10, accuracy: 0.11)
        XCTAssertEqual(late.tasks.count, 2, "a live process is sent its tasks")
    }

    func testSilentProcessClosesTheRoundBeforeTheDeadline() throws {
        let r = try rig("federation: {clients: 2, rounds: 2, deadline: 60, heartbeat_timeout: 3, quorum: 0.5}")
        let a = r.peers.add([1], ids: [0])
        let dead = r.peers.add([2], ids: [1])
        dead.respond = { _ in [] }
        dead.alive = false                                 // says HELLO, then nothing

        let records = try run(r)

        XCTAssertEqual(records.map(\.received), [1, 1])
        // Waiting for a process silent for heartbeat_timeout is pointless: round 1 closed 3 s
        // after its HELLO, not after 60 s; round 2 closed at once.
        XCTAssertEqual(a.tasks[1].time, 3, accuracy: 0.11)
        XCTAssertEqual(r.net.manualClock.elapsed, 3, accuracy: 0.21)
        XCTAssertEqual(dead.tasks.map(\.round), [1], "a silent process is not sent round 2")
    }

    /// A process that takes over a dead process's clients while a round waits for them gets
    /// their task at once, so the round closes when the updates are in, not at its deadline.
    func testAProcessTakingOverClientsMidRoundGetsTheirTask() throws {
        let r = try rig("federation: {clients: 2, rounds: 1, deadline: 60, heartbeat_timeout: 3, quorum: 1.0}")
        let a = r.peers.add([1], ids: [0])
        a.delay = 10                                       // keeps round 1 open past the silence of [2]
        let dead = r.peers.add([2], ids: [1])
        dead.respond = { _ in [] }
        dead.alive = false
        let replacement = r.peers.add([3], ids: [1])       // the restarted process
        replacement.helloAt = 3.5                          // once [2] has been silent for 3 s

        let records = try run(r)

        XCTAssertEqual(replacement.welcomes, [[1]])
        XCTAssertEqual(replacement.tasks.map(\.round), [1])
        XCTAssertEqual(replacement.tasks.first?.ids, [1])
        XCTAssertEqual(records.map(\.received), [2])
        // Closed when a's delayed update arrived (10 s), not at the 60 s deadline.
        XCTAssertEqual(r.net.manualClock.elapsed, 10, accuracy: 0.21)
    }

    /// A model blown up by huge updates is a result: the round is recorded with a note and
    /// the run ends as diverged, at the first round whose model is not finite.
    func testABlownUpModelEndsTheRunAsDiverged() throws {
        let r = try rig("federation: {clients: 2, rounds: 5, deadline: 10, quorum: 1.0}")
        for (identity, id) in [([UInt8(1)], UInt32(0)), ([2], 1)] {
            r.peers.add(identity, ids: [id]).respond = { task in
                [FakeClientProcesses.update(round: task.round, client: id, samples: 10, value: 3e38, parameters: r.d)]
            }
        }
        var records: [RoundRecord] = []
        XCTAssertThrowsError(try r.coordinator.run(results: nil) { records.append($0) }) { error in
            guard case let CoordinatorError.diverged(round)? = error as? CoordinatorError else { return XCTFail("\(error)") }
            XCTAssertEqual(round, records.count)
        }
        XCTAssertEqual(r.coordinator.divergedRound, records.count)
        XCTAssertLessThanOrEqual(records.count, 2, "3e38 twice overflows a Float")
        XCTAssertTrue(records.last?.note?.hasPrefix("diverged: ") == true, "\(records.last?.note ?? "")")
        XCTAssertTrue(records.dropLast().allSatisfy { $0.note == nil })
    }

    func testQuorumNotMetStopsTheRun() throws {
        let r = try rig("federation: {clients: 2, rounds: 3, deadline: 5, quorum: 1.0}")
        r.peers.add([1], ids: [0])
        r.peers.add([2], ids: [1]).respond = { _ in [] }
        XCTAssertThrowsError(try run(r)) { error in
            guard case let CoordinatorError.quorumNotMet(round, received, sampled, required, deadline)? = error as? CoordinatorError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual([round, received, sampled, required], [1, 1, 2, 2])
            XCTAssertEqual(deadline, 5)
        }
        XCTAssertEqual(r.net.manualClock.elapsed, 5, accuracy: 0.11)
    }

    // MARK: - Hostile messages

    func testHostileMessagesAreDroppedCountedAndNeverAggregated() throws {
        let r = try rig("federation: {clients: 2, rounds: 2, deadline: 30, quorum: 1.0}")
        let d = r.d
        let ones = [Float](repeating: 1, count: d)
        var nan = ones
        nan[3] = .nan
        var badMagic = MessageCodec.encode(.heartbeat(round: 1))
        badMagic[0][0] = UInt8(ascii: "X")
        let stranger: [UInt8] = [9]
        let fingerprint = r.coordinator.scenario.fingerprint
        // Each hostile message of process A in round 1, and the reason it is counted under.
        let hostile: [(String, [[UInt8]])] = [
            ("bad_magic", badMagic),
            ("non_finite", MessageCodec.encode(.update(round: 1, clientId: 0, samples: 10, trainLoss: 0, delta: nan))),
            ("wrong_size", MessageCodec.encode(.update(round: 1, clientId: 0, samples: 10, trainLoss: 0, delta: [1, 2]))),
            ("stale_round", MessageCodec.encode(.update(round: 0, clientId: 0, samples: 10, trainLoss: 0, delta: ones))),
            ("future_round", MessageCodec.encode(.update(round: 7, clientId: 0, samples: 10, trainLoss: 0, delta: ones))),
            ("not_owner", MessageCodec.encode(.update(round: 1, clientId: 1, samples: 10, trainLoss: 0, delta: ones))),
            ("no_samples", MessageCodec.encode(.update(round: 1, clientId: 0, samples: 0, trainLoss: 0, delta: ones))),
            ("unexpected_kind", MessageCodec.encode(.task(round: 1, clientIds: [0], model: ones))),
            ("no_body", []),
        ]
        let a = r.peers.add([1], ids: [0])
        a.respond = { task in
            guard task.round == 1 else {
                // In round 2, a replay of round 1's update is stale.
                return [FakeClientProcesses.update(round: 1, client: 0, samples: 10, value: 1, parameters: d),
                        FakeClientProcesses.update(round: 2, client: 0, samples: 10, value: 0, parameters: d)]
            }
            r.peers.inject(MessageCodec.encode(.update(round: 1, clientId: 0, samples: 10, trainLoss: 0, delta: ones)),
                           from: stranger, at: task.time)                                        // unknown_sender
            r.peers.inject(MessageCodec.encode(.hello(fingerprint: fingerprint &+ 1, clientIds: [0])),
                           from: stranger, at: task.time)                                        // fingerprint
            let valid = FakeClientProcesses.update(round: 1, client: 0, samples: 10, value: 1, parameters: d)
            return hostile.map(\.1) + [valid, valid]                                             // the second: duplicate
        }
        let b = r.peers.add([2], ids: [1])
        b.respond = { task in
            task.ids.map { FakeClientProcesses.update(round: task.round, client: $0, samples: 30, value: 3, parameters: d) }
        }

        let records = try run(r)

        var expected = Dictionary(hostile.map { ($0.0, 1) }, uniquingKeysWith: +)
        expected["unknown_sender"] = 1
        expected["fingerprint"] = 1
        expected["duplicate"] = 1
        XCTAssertEqual(records[0].rejectReasons, expected)
        XCTAssertEqual(records[0].rejected, hostile.count + 3)
        XCTAssertEqual(records[0].received, 2)
        XCTAssertEqual(records[1].rejectReasons, ["stale_round": 1])
        XCTAssertTrue(r.peers.others.contains { $0.identity == stranger && "\($0.message)".contains("rejected: fingerprint") })
        // Only the two valid updates of each round were aggregated: 2.5, then 2.25 = (0·10 + 3·30)/40.
        for (x, x0) in zip(r.coordinator.global, r.initial) { XCTAssertEqual(x, x0 + 2.5 + 2.25, accuracy: 1e-5) }
    }

    // MARK: - Heartbeats, tap, CURVE identities

    func testHeartbeatsGoToEveryProcessEverySecond() throws {
        let r = try rig("federation: {clients: 2, rounds: 1, deadline: 30, quorum: 1.0}")
        let a = r.peers.add([1], ids: [0])
        let b = r.peers.add([2], ids: [1])
        a.delay = 5.05                                     // the round lasts 5 s
        b.delay = 5.05

        _ = try run(r)

        for p in [a, b] {
            let beats = p.heartbeatTimes
            XCTAssertGreaterThanOrEqual(beats.count, 5, "\(beats)")
            for (t0, t1) in zip(beats, beats.dropFirst()) {
                XCTAssertEqual(t1 - t0, 1, accuracy: 0.11, "\(beats)")
            }
        }
        let rounds = a.received.compactMap { if case let .heartbeat(round) = $0.message { return round } else { return nil } }
        XCTAssertEqual(rounds.last, 1, "a heartbeat carries the current round")
    }

    func testOnlyAcceptedUpdatesGoToTheTap() throws {
        let r = try rig("federation: {clients: 2, rounds: 1, deadline: 30, quorum: 1.0}", tap: true)
        let a = r.peers.add([1], ids: [0])
        r.peers.add([2], ids: [1])
        let valid = FakeClientProcesses.update(round: 1, client: 0, samples: 10, value: 1, parameters: r.d)
        a.respond = { _ in [FakeClientProcesses.update(round: 1, client: 0, samples: 10, value: 1, parameters: 3), valid, valid] }

        _ = try run(r)

        let tap = try XCTUnwrap(r.net.clients("tapSender").first)
        let forwarded = tap.takeMessages().compactMap { m -> UInt32? in if case let .update(_, id, _, _, _, _) = m { return id } else { return nil } }
        XCTAssertEqual(forwarded.sorted(), [0, 1])
        XCTAssertEqual(tap.endpoint, "memory://tap")
    }

    func testCurveUserIdsBindKeysToTheirClientIds() throws {
        let keyA = try CurveKeyPair.generate(), keyB = try CurveKeyPair.generate()
        let allowlist = try CurveAllowlist([try .init(publicKey: keyA.publicKey, clientIds: [0]),
                                            try .init(publicKey: keyB.publicKey, clientIds: [1])])
        let curve = ServerCurve(keys: try CurveKeyPair.generate(), allowlist: allowlist)
        let r = try rig("federation: {clients: 2, rounds: 1, deadline: 30, quorum: 1.0}", curve: curve)
        let a = r.peers.add([1], ids: [0, 1])              // asks for B's id too
        a.userId = keyA.publicKeyZ85
        let b = r.peers.add([2], ids: [1])
        b.userId = keyB.publicKeyZ85
        b.helloAt = 0.5
        let anonymous = r.peers.add([3], ids: [1])
        anonymous.alive = false
        r.server.pushRefusal("refused a CURVE connection from 10.0.0.9: unknown key")

        let records = try run(r)

        XCTAssertEqual(a.welcomes, [[0]])
        XCTAssertEqual(b.welcomes, [[1]])
        XCTAssertEqual(anonymous.received.count, 0)
        XCTAssertEqual(records.first?.rejectReasons, ["key_mismatch": 1, "unauthenticated": 1, "unauthorized_key": 1])
        XCTAssertEqual(records.first?.received, 2)
    }
}
