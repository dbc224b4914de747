@testable import FedSim
import XCTest

final class RoundCollectorTests: XCTestCase {
    /// Each rejection rule, in a table: (round, client, samples, loss, length, sender owns) -> verdict.
    func testEveryRule() {
        var c = RoundCollector(round: 3, sampled: [0, 2], parameterCount: 4)
        let table: [(Int, Int, Int, Float, Int, Bool, RoundCollector.Verdict)] = [
            (2, 0, 10, 0.5, 4, true, .reject("stale_round")),
            (4, 0, 10, 0.5, 4, true, .reject("future_round")),
            (3, 0, 10, 0.5, 4, false, .reject("not_owner")),
            (3, 1, 10, 0.5, 4, true, .reject("not_sampled")),
            (3, 0, 10, 0.5, 3, true, .reject("wrong_size")),
            (3, 0, 0, 0.5, 4, true, .reject("no_samples")),
            (3, 0, 10, .nan, 4, true, .reject("non_finite")),
            (3, 0, 10, 0.5, 4, true, .accept),
            (3, 0, 10, 0.5, 4, true, .reject("duplicate")),
        ]
        for (r, client, samples, loss, length, owns, expected) in table {
            let v = c.offer(round: r, client: client, samples: samples, trainLoss: loss,
                            delta: [Float](repeating: 1, count: length), senderOwnsClient: owns)
            XCTAssertEqual(v, expected, "round \(r) client \(client)")
        }
        XCTAssertEqual(c.rejectedCount, 8)
        XCTAssertEqual(c.missing, [2])
        XCTAssertFalse(c.isComplete)
        XCTAssertEqual(c.offer(round: 3, client: 2, samples: 5, trainLoss: 0.1, delta: [0, 0, 0, 0], senderOwnsClient: true), .accept)
        XCTAssertTrue(c.isComplete)
        XCTAssertEqual(c.orderedUpdates.map(\.client), [0, 2])
    }

    func testPeerTableBindsIdsToTheirProcess() {
        var t = PeerTable()
        let a: [UInt8] = [1], b: [UInt8] = [2]
        let now = Date()
        XCTAssertEqual(t.register(a, ids: [0, 1], clients: 4, now: now, liveness: 10).accepted, [0, 1])
        XCTAssertTrue(t.owns(a, client: 1))
        // Taken and unknown ids are refused; the rest is accepted.
        XCTAssertEqual(t.register(b, ids: [1, 2, 4], clients: 4, now: now, liveness: 10),
                       PeerTable.Registration(accepted: [2], unknown: [4], taken: [1]))
        XCTAssertFalse(t.owns(b, client: 1))
        // Once the holder has been silent past the liveness window, a new process may take over.
        XCTAssertEqual(t.register(b, ids: [1], clients: 4, now: now.addingTimeInterval(11), liveness: 10).accepted, [1])
        XCTAssertTrue(t.owns(b, client: 1))
        XCTAssertFalse(t.owns(a, client: 1))
        XCTAssertEqual(t.registeredCount, 3)
        XCTAssertEqual(t.tasks(for: [0, 1, 2]).map(\.1), [[0], [1, 2]])
    }

    /// A silent process that loses every id it hosted is reported (to be told to stop); one that
    /// keeps some is not.
    func testPeerTableReportsDisplacedProcesses() {
        var t = PeerTable()
        let a: [UInt8] = [1], b: [UInt8] = [2], c: [UInt8] = [3]
        let now = Date()
        _ = t.register(a, ids: [0, 1], clients: 4, now: now, liveness: 10)
        _ = t.register(c, ids: [2, 3], clients: 4, now: now, liveness: 10)
        let later = now.addingTimeInterval(11)
        let partial = t.register(b, ids: [2], clients: 4, now: later, liveness: 10)
        XCTAssertEqual(partial.accepted, [2])
        XCTAssertTrue(partial.displaced.isEmpty, "c still hosts client 3")
        let whole = t.register(b, ids: [0, 1], clients: 4, now: later, liveness: 10)
        XCTAssertEqual(whole.displaced.map(\.0), [a])
        XCTAssertEqual(whole.displaced.map(\.1), [[0, 1]])
        XCTAssertFalse(t.isKnown(a))
    }

    /// `samples` must be the client's shard size when the sizes are known.
    func testSamplesMustBeTheShardSize() {
        var c = RoundCollector(round: 1, sampled: [0, 1], parameterCount: 2, shardSizes: [7, 9])
        XCTAssertEqual(c.offer(round: 1, client: 0, samples: 1, trainLoss: 0, delta: [0, 0], senderOwnsClient: true),
                       .reject("wrong_samples"))
        XCTAssertEqual(c.offer(round: 1, client: 0, samples: 9, trainLoss: 0, delta: [0, 0], senderOwnsClient: true),
                       .reject("wrong_samples"))
        XCTAssertEqual(c.offer(round: 1, client: 0, samples: 7, trainLoss: 0, delta: [0, 0], senderOwnsClient: true), .accept)
        XCTAssertEqual(c.offer(round: 1, client: 1, samples: 9, trainLoss: 0, delta: [0, 0], senderOwnsClient: true), .accept)
        XCTAssertEqual(c.rejections, ["wrong_samples": 2])
    }

    func testClientIdLists() throws {
        XCTAssertEqual(try ClientIdList.parse("0-3,7"), [0, 1, 2, 3, 7])
        XCTAssertEqual(try ClientIdList.parse("5"), [5])
        for bad in ["", "a", "3-1", "1,1", "-2", "1-"] {
            XCTAssertThrowsError(try ClientIdList.parse(bad), bad)
        }
        XCTAssertEqual(ClientIdList.format([0, 1, 2, 3, 7, 9, 10]), "0-3,7,9-10")
        XCTAssertEqual(ClientIdList.groups(clients: 10, processes: 3), [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]])
        XCTAssertEqual(ClientIdList.groups(clients: 2, processes: 5), [[0], [1]])
    }
}

final class DetectionTests: XCTestCase {
    func testRatesByHand() {
        // 2 malicious (one excluded), 3 honest (one excluded).
        let d = Detection(selected: [false, true, true, false, true], weights: [0, 0.5, 0.25, 0, 0.25],
                          malicious: [true, true, false, false, false])
        XCTAssertEqual(d.truePositiveRate, 0.5)
        XCTAssertEqual(d.falsePositiveRate ?? 0, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(d.maliciousWeight, 0.5)
        XCTAssertNil(Detection(selected: [true], weights: [1], malicious: [false]).truePositiveRate)
        XCTAssertNil(Detection(selected: [true], weights: [1], malicious: [true]).falsePositiveRate)
        // Two excluded, one of them malicious: precision 1/2; nothing excluded: none.
        XCTAssertEqual(d.precision, 0.5)
        XCTAssertEqual(Detection(selected: [false, false, true], weights: [0, 0, 1], malicious: [true, true, false]).precision, 1)
        XCTAssertNil(Detection(selected: [true, true], weights: [0.5, 0.5], malicious: [true, false]).precision)
    }
}
