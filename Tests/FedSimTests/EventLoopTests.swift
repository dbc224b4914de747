@testable import FedSim
import Foundation
import XCTest

/// The one loop: turn order, timers, deadlines and stop conditions, on a manual clock.
final class EventLoopTests: XCTestCase {
    private final class Foreign: Pollable {}

    private func makeLoop(timeLimit: Double? = 100) -> (EventLoop, MemoryNetwork, MemoryClientTransport) {
        let net = MemoryNetwork(timeLimit: timeLimit)
        // swiftlint:disable:next force_cast
        let t = try! net.open("memory://peer", as: .hubClient) as! MemoryClientTransport
        return (net.makeLoop(), net, t)
    }

    func testTimersFireOnTimeInOrderAndRepeat() throws {
        let (loop, net, _) = makeLoop()
        var log: [String] = []
        let clock = net.manualClock
        func at(_ name: String) -> () -> Void { { log.append("\(name)@\(clock.elapsed)") } }
        loop.schedule(at: clock.now.addingTimeInterval(2), at("b"))
        loop.schedule(at: clock.now.addingTimeInterval(0.5), at("a"))
        let cancelled = loop.schedule(at: clock.now.addingTimeInterval(1), at("never"))
        loop.cancel(cancelled)
        loop.every(1, at("tick"))
        try loop.run(maxWait: 10, deadline: clock.now.addingTimeInterval(3))
        // A wait never passes the next timer: every one ran exactly on time.
        XCTAssertEqual(log, ["tick@0.0", "a@0.5", "tick@1.0", "b@2.0", "tick@2.0", "tick@3.0"])
        XCTAssertEqual(clock.elapsed, 3)
    }

    func testDeadlineAndDone() throws {
        let (loop, net, peer) = makeLoop()
        var received = 0
        loop.watch(peer) { while try peer.receive() != nil { received += 1 } }
        net.onIdle = { if net.manualClock.elapsed >= 1.2, received == 0 { peer.push([[1]]) } }
        let clock = net.manualClock
        XCTAssertTrue(try loop.run(maxWait: 0.5, deadline: clock.now.addingTimeInterval(10)) { received > 0 })
        XCTAssertEqual(clock.elapsed, 1.5, "waits of 0.5 s until the message came")
        XCTAssertFalse(try loop.run(maxWait: 0.5, deadline: clock.now.addingTimeInterval(2)) { received > 1 })
        XCTAssertEqual(clock.elapsed, 3.5, "then to the deadline, not past it")
    }

    func testTurnOrderAndStop() throws {
        let (loop, net, peer) = makeLoop()
        let second = try net.open("memory://other", as: .hubClient) as? MemoryClientTransport
        var log: [String] = []
        loop.atTurnStart { log.append("start") }
        loop.watch(peer) { _ = try peer.receive(); log.append("peer") }
        if let second { loop.watch(second) { _ = try second.receive(); log.append("second"); loop.stop() } }
        loop.atTurnEnd { log.append("end") }
        second?.push([[2]])
        peer.push([[1]])
        XCTAssertFalse(try loop.run(maxWait: 1))
        XCTAssertEqual(log, ["start", "peer", "second"], "handlers in watch order; stop ends the turn")
        XCTAssertTrue(loop.isStopped)
        XCTAssertFalse(try loop.run(maxWait: 1), "a stopped loop stays stopped")
        XCTAssertEqual(log.count, 3)
    }

    func testAThrowingHookEndsTheRun() {
        struct Stop: Error {}
        let (loop, net, _) = makeLoop()
        loop.atTurnStart { if net.manualClock.elapsed >= 2 { throw Stop() } }
        XCTAssertThrowsError(try loop.run(maxWait: 0.25)) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(net.manualClock.elapsed, 2)
    }

    func testPollersRefuseAnotherNetworksTransports() {
        let (_, net, _) = makeLoop()
        XCTAssertThrowsError(try net.poller.wait(for: [Foreign()], timeout: 0)) { XCTAssertTrue("\($0)".contains("another network")) }
        XCTAssertThrowsError(try ZMQPoller().wait(for: [Foreign()], timeout: 0))
    }

    func testTheTimeLimitStopsALoopThatNeverEnds() {
        let (loop, _, _) = makeLoop(timeLimit: 5)
        XCTAssertThrowsError(try loop.run(maxWait: 1)) { error in
            guard case TransportError.timeLimit(5)? = error as? TransportError else { return XCTFail("\(error)") }
        }
    }
}
