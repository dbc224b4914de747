import FedTestSupport
import XCTest
@testable import FedWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class ZMQSocketTests: XCTestCase {
    // MARK: - Helpers

    /// ROUTER binds `endpoint`, DEALER (routing id "client-1") connects, a multipart message
    /// goes each way. Returns the resolved endpoint.
    @discardableResult
    private func exchange(bindTo endpoint: String) throws -> String {
        let context = try ZMQContext()
        defer { context.close() }
        let router = try ZMQSocket(context: context, type: .router)
        defer { router.close() }
        let dealer = try ZMQSocket(context: context, type: .dealer)
        defer { dealer.close() }
        try router.setReceiveTimeout(milliseconds: 5_000)
        try dealer.setReceiveTimeout(milliseconds: 5_000)
        try router.setRouterMandatory(true)
        try dealer.setRoutingId(Array("client-1".utf8))

        try router.bind(endpoint)
        let resolved = try router.lastEndpoint
        try dealer.connect(resolved)

        let hello = MessageCodec.encode(.hello(fingerprint: 7, clientIds: [1, 2]))
        XCTAssertTrue(try dealer.send(hello))
        let received = try XCTUnwrap(try router.receive())
        XCTAssertEqual(received.count, 3)
        XCTAssertEqual(received[0], Array("client-1".utf8))  // ROUTER prepends the routing id
        XCTAssertEqual(try MessageCodec.decode(Array(received.dropFirst())),
                       .hello(fingerprint: 7, clientIds: [1, 2]))

        let task = MessageCodec.encode(.task(round: 1, clientIds: [1, 2], model: [0.5, -0.5, 2]))
        XCTAssertTrue(try router.send([received[0]] + task))
        let reply = try XCTUnwrap(try dealer.receive())
        XCTAssertEqual(try MessageCodec.decode(reply), .task(round: 1, clientIds: [1, 2], model: [0.5, -0.5, 2]))
        return resolved
    }

    // MARK: - Transports

    func testRouterDealerInproc() throws {
        try exchange(bindTo: "inproc://fedwire-test")
    }

    func testRouterDealerIpc() throws {
        let dir = try TemporaryDirectory(prefix: "fw")
        defer { dir.remove() }
        let path = dir.path("c.sock")
        XCTAssertLessThan(path.utf8.count, 100)
        try exchange(bindTo: "ipc://" + path)
    }

    func testRouterDealerTcpEphemeralPort() throws {
        let endpoint = try exchange(bindTo: "tcp://127.0.0.1:0")
        XCTAssertTrue(endpoint.hasPrefix("tcp://127.0.0.1:"), endpoint)
        XCTAssertNotEqual(endpoint, "tcp://127.0.0.1:0")
    }

    func testEmptyFramesSurvive() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let a = try ZMQSocket(context: context, type: .pair)
        defer { a.close() }
        let b = try ZMQSocket(context: context, type: .pair)
        defer { b.close() }
        try a.bind("inproc://empty-frames")
        try b.connect("inproc://empty-frames")
        XCTAssertTrue(try a.send([[], [1], []]))
        XCTAssertEqual(try b.receive(), [[], [1], []])
        XCTAssertThrowsError(try a.send([]))
    }

    // MARK: - Poll and non-blocking

    func testPollReadabilityWithTimeout() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let router = try ZMQSocket(context: context, type: .router)
        defer { router.close() }
        let dealer = try ZMQSocket(context: context, type: .dealer)
        defer { dealer.close() }
        try router.bind("inproc://poll")
        try dealer.connect("inproc://poll")

        let idle = try zmqPoll([(socket: router, events: .readable)], timeoutMilliseconds: 50)
        XCTAssertEqual(idle, [[]])

        try dealer.send([[1, 2, 3]])
        let ready = try zmqPoll([(socket: router, events: .readable), (socket: dealer, events: .readable)],
                                timeoutMilliseconds: 5_000)
        XCTAssertEqual(ready, [.readable, []])
        let message = try XCTUnwrap(try router.receive(dontWait: true))
        XCTAssertEqual(message.last, [1, 2, 3])

        let writable = try zmqPoll([(socket: dealer, events: [.readable, .writable])], timeoutMilliseconds: 0)
        XCTAssertEqual(writable, [.writable])
    }

    func testNonBlockingReceiveOnEmptySocketReturnsNil() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let router = try ZMQSocket(context: context, type: .router)
        defer { router.close() }
        try router.bind("inproc://empty")
        XCTAssertNil(try router.receive(dontWait: true))
        try router.setReceiveTimeout(milliseconds: 20)
        XCTAssertNil(try router.receive())  // timeout is an empty result too
    }

    func testNonBlockingSendWithoutPeerReturnsFalse() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let dealer = try ZMQSocket(context: context, type: .dealer)
        defer { dealer.close() }
        try dealer.setImmediate(true)  // queue only to completed connections: none exist
        try dealer.connect("tcp://127.0.0.1:1")
        XCTAssertFalse(try dealer.send([[1]], dontWait: true))
    }

    // MARK: - Errors

    func testBindInvalidEndpointThrowsNamingCallAndEndpoint() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let socket = try ZMQSocket(context: context, type: .router)
        defer { socket.close() }
        XCTAssertThrowsError(try socket.bind("nope://x")) { error in
            let error = error as? ZMQError
            XCTAssertEqual(error?.call, "zmq_bind")
            XCTAssertEqual(error?.detail, "nope://x")
            XCTAssertTrue(error?.description.hasPrefix("zmq_bind(nope://x): ") ?? false, "\(String(describing: error))")
        }
    }

    func testAddressInUseDescription() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let first = try ZMQSocket(context: context, type: .router)
        defer { first.close() }
        let second = try ZMQSocket(context: context, type: .router)
        defer { second.close() }
        try first.bind("tcp://127.0.0.1:0")
        let endpoint = try first.lastEndpoint
        XCTAssertThrowsError(try second.bind(endpoint)) { error in
            let error = error as? ZMQError
            XCTAssertEqual(error?.errno, EADDRINUSE)
            XCTAssertEqual(error?.description, "zmq_bind(\(endpoint)): Address already in use (errno \(EADDRINUSE))")
        }
    }

    func testRouterMandatoryUnroutableThrows() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let router = try ZMQSocket(context: context, type: .router)
        defer { router.close() }
        try router.setRouterMandatory(true)
        try router.bind("inproc://mandatory")
        XCTAssertThrowsError(try router.send([Array("nobody".utf8), [1]])) { error in
            XCTAssertTrue((error as? ZMQError)?.isHostUnreachable ?? false, "\(error)")
        }
    }

    // MARK: - Lifecycle

    func testCloseTwiceIsHarmless() throws {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, type: .dealer)
        socket.close()
        socket.close()
        XCTAssertTrue(socket.isClosed)
        XCTAssertThrowsError(try socket.connect("inproc://x")) { error in
            XCTAssertEqual((error as? ZMQError)?.call, "zmq_connect")
        }
        context.close()
        context.close()
        XCTAssertTrue(context.isClosed)
        XCTAssertThrowsError(try ZMQSocket(context: context, type: .pair))
    }

    func testContextCloseWithOpenSocketAndPendingMessagesDoesNotHang() throws {
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context: context, type: .dealer)
        defer { dealer.close() }  // after the context closed it: harmless
        try dealer.connect("tcp://127.0.0.1:1")  // nobody listens: messages stay queued
        for _ in 0..<10 { XCTAssertTrue(try dealer.send([[UInt8](repeating: 7, count: 1_000)], dontWait: true)) }
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        context.close()  // closes the dealer (linger 0), then zmq_ctx_term
        var end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &end)
        XCTAssertTrue(dealer.isClosed)
        XCTAssertLessThan(end.tv_sec - start.tv_sec, 5)
    }

    func testMaxMessageSizeDropsOversizedMessage() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let router = try ZMQSocket(context: context, type: .router)
        defer { router.close() }
        try router.setMaxMessageSize(1_000)
        try router.bind("tcp://127.0.0.1:0")
        let endpoint = try router.lastEndpoint

        let big = try ZMQSocket(context: context, type: .dealer)
        defer { big.close() }
        try big.connect(endpoint)
        XCTAssertTrue(try big.send([[UInt8](repeating: 1, count: 2_000)]))
        let afterBig = try zmqPoll([(socket: router, events: .readable)], timeoutMilliseconds: 300)
        XCTAssertEqual(afterBig, [[]], "the oversized message must never be delivered")

        let small = try ZMQSocket(context: context, type: .dealer)
        defer { small.close() }
        try small.connect(endpoint)
        XCTAssertTrue(try small.send([[UInt8](repeating: 2, count: 100)]))
        try router.setReceiveTimeout(milliseconds: 5_000)
        let message = try XCTUnwrap(try router.receive())
        XCTAssertEqual(message.last, [UInt8](repeating: 2, count: 100))
    }

    // MARK: - Library facts

    func testVersionAndCapabilities() {
        let (major, minor, _) = zmqVersion()
        XCTAssertEqual(major, 4)
        XCTAssertGreaterThanOrEqual(minor, 3)
        XCTAssertTrue(zmqHas("ipc"))
        XCTAssertFalse(zmqHas("no-such-capability"))
    }
}
