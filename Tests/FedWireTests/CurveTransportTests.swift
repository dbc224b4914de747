import FedTestSupport
import XCTest
@testable import FedWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CURVE ROUTER server + ZAPHandler, serviced in the test's own poll loop (one thread), with
/// DEALER clients in another context (as if in another process).
final class CurveTransportTests: XCTestCase {
    /// One server: context, ZAP handler (bound first), CURVE ROUTER.
    private final class Server {
        let context: ZMQContext
        let zap: ZAPHandler
        let router: ZMQSocket
        let keys: CurveKeyPair
        let endpoint: String
        /// Messages received so far, with their User-Id.
        var received: [(frames: [[UInt8]], userId: String?)] = []

        init(bind: String, allowed: [CurveKeyPair]) throws {
            context = try ZMQContext()
            keys = try CurveKeyPair.generate()
            zap = try ZAPHandler(context: context, allowedKeys: Set(allowed.map(\.publicKey)))
            router = try ZMQSocket(context: context, type: .router)
            try zap.secureServer(router, secretKey: keys.secretKey)
            try router.bind(bind)
            endpoint = try router.lastEndpoint
        }

        func close() {
            router.close()
            zap.close()
            context.close()
        }

        /// Polls the ROUTER and the ZAP socket (single thread) until `done()` or `seconds` pass.
        @discardableResult
        func pump(seconds: Double, until done: () -> Bool = { false }) throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if done() { return true }
                let ready = try zmqPoll([(router, .readable), (zap.socket, .readable)], timeoutMilliseconds: 20)
                if ready[1].contains(.readable) { try zap.serviceAll() }
                if ready[0].contains(.readable) {
                    while let message = try router.receiveWithMetadata(dontWait: true) { received.append(message) }
                }
            }
            return done()
        }
    }

    /// A DEALER in its own context; `curve` nil = plain text.
    private final class Client {
        let context: ZMQContext
        let dealer: ZMQSocket

        init(connect endpoint: String, curve: (keys: CurveKeyPair, server: [UInt8])?, context shared: ZMQContext? = nil) throws {
            context = try shared ?? ZMQContext()
            dealer = try ZMQSocket(context: context, type: .dealer)
            try dealer.setReceiveTimeout(milliseconds: 5_000)
            if let curve { try dealer.setCurveClient(keys: curve.keys, serverPublicKey: curve.server) }
            try dealer.connect(endpoint)
        }

        func close() {
            dealer.close()
            context.close()
        }
    }

    // MARK: - Listed client

    private func listedClientExchanges(bind: String) throws {
        let a = try CurveKeyPair.generate()
        let server = try Server(bind: bind, allowed: [a])
        defer { server.close() }
        let client = try Client(connect: server.endpoint, curve: (a, server.keys.publicKey))
        defer { client.close() }

        XCTAssertEqual(try client.dealer.securityMechanism, 2)
        XCTAssertTrue(try client.dealer.send([Array("hello".utf8), [1, 2, 3]]))
        XCTAssertTrue(try server.pump(seconds: 10) { !server.received.isEmpty }, "the listed client's message never arrived")
        let message = try XCTUnwrap(server.received.first)
        XCTAssertEqual(message.frames.count, 3)
        XCTAssertEqual(Array(message.frames.dropFirst()), [Array("hello".utf8), [1, 2, 3]])
        XCTAssertEqual(message.userId, a.publicKeyZ85)
        XCTAssertEqual(server.zap.accepted, 1)
        XCTAssertEqual(server.zap.totalRefused, 0)

        XCTAssertTrue(try server.router.send([message.frames[0], Array("welcome".utf8)]))
        XCTAssertEqual(try client.dealer.receive(), [Array("welcome".utf8)])

        // A second message on the same connection: same User-Id, no new ZAP request.
        XCTAssertTrue(try client.dealer.send([Array("again".utf8)]))
        XCTAssertTrue(try server.pump(seconds: 10) { server.received.count == 2 })
        XCTAssertEqual(server.received.last?.userId, a.publicKeyZ85)
        XCTAssertEqual(server.zap.accepted, 1)
    }

    func testListedClientTCP() throws {
        try listedClientExchanges(bind: "tcp://127.0.0.1:0")
    }

    func testListedClientIPC() throws {
        let dir = try TemporaryDirectory(prefix: "fwc")
        defer { dir.remove() }
        try listedClientExchanges(bind: "ipc://\(dir.path)/s")
    }

    // MARK: - Refused clients (tcp)

    func testUnlistedKeyGetsNothingThrough() throws {
        let a = try CurveKeyPair.generate()
        let b = try CurveKeyPair.generate()
        let server = try Server(bind: "tcp://127.0.0.1:0", allowed: [a])
        defer { server.close() }
        let client = try Client(connect: server.endpoint, curve: (b, server.keys.publicKey))
        defer { client.close() }

        _ = try client.dealer.send([Array("let me in".utf8)], dontWait: true)
        XCTAssertTrue(try server.pump(seconds: 10) { server.zap.refused[.unknownKey, default: 0] >= 1 },
                      "the ZAP handler was never asked about the unlisted key")
        try server.pump(seconds: 0.5)
        XCTAssertTrue(server.received.isEmpty)
        XCTAssertEqual(server.zap.accepted, 0)
    }

    func testPlainTextClientGetsNothingThrough() throws {
        let server = try Server(bind: "tcp://127.0.0.1:0", allowed: [try CurveKeyPair.generate()])
        defer { server.close() }
        let client = try Client(connect: server.endpoint, curve: nil)
        defer { client.close() }

        _ = try client.dealer.send([Array("plain".utf8)], dontWait: true)
        try server.pump(seconds: 1.5)
        XCTAssertTrue(server.received.isEmpty)
        // libzmq drops the connection at the greeting (mechanism mismatch): ZAP never hears of it.
        XCTAssertEqual(server.zap.accepted, 0)
        XCTAssertEqual(server.zap.totalRefused, 0)
    }

    func testWrongServerKeyGetsNothingThrough() throws {
        let a = try CurveKeyPair.generate()
        let server = try Server(bind: "tcp://127.0.0.1:0", allowed: [a])
        defer { server.close() }
        let impostor = try CurveKeyPair.generate()  // the client trusts another "server"
        let client = try Client(connect: server.endpoint, curve: (a, impostor.publicKey))
        defer { client.close() }

        _ = try client.dealer.send([Array("hello".utf8)], dontWait: true)
        try server.pump(seconds: 1.5)
        XCTAssertTrue(server.received.isEmpty)
        // The server cannot open the client's HELLO: the handshake ends before ZAP.
        XCTAssertEqual(server.zap.accepted, 0)
        XCTAssertEqual(server.zap.totalRefused, 0)
    }

    func testClaimingAnotherClientsKeyGetsNothingThrough() throws {
        let a = try CurveKeyPair.generate()
        let mallory = try CurveKeyPair.generate()
        let server = try Server(bind: "tcp://127.0.0.1:0", allowed: [a])
        defer { server.close() }
        // Mallory announces A's public key but only has her own secret key.
        let context = try ZMQContext()
        defer { context.close() }
        let dealer = try ZMQSocket(context: context, type: .dealer)
        defer { dealer.close() }
        try dealer.setOption(ZMQ_CURVE_SERVERKEY_VALUE, bytes: server.keys.publicKey)
        try dealer.setOption(ZMQ_CURVE_PUBLICKEY_VALUE, bytes: a.publicKey)
        try dealer.setOption(ZMQ_CURVE_SECRETKEY_VALUE, bytes: mallory.secretKey)
        try dealer.connect(server.endpoint)

        _ = try dealer.send([Array("I am A".utf8)], dontWait: true)
        try server.pump(seconds: 1.5)
        XCTAssertTrue(server.received.isEmpty)
        XCTAssertEqual(server.zap.accepted, 0)
    }

    /// libzmq 4.3 does not retry a connection that ZAP refused (the connect ends silently), so
    /// a refusal is counted once; after the key is allowed, a new connection passes.
    func testRefusedConnectionIsNotRetriedAndAllowingTheKeyAdmitsANewOne() throws {
        let b = try CurveKeyPair.generate()
        let server = try Server(bind: "tcp://127.0.0.1:0", allowed: [])
        defer { server.close() }
        let first = try Client(connect: server.endpoint, curve: (b, server.keys.publicKey))
        defer { first.close() }
        _ = try first.dealer.send([Array("1".utf8)], dontWait: true)
        XCTAssertTrue(try server.pump(seconds: 10) { server.zap.totalRefused >= 1 })
        try server.pump(seconds: 1)
        XCTAssertEqual(server.zap.refused, [.unknownKey: 1])
        XCTAssertTrue(server.received.isEmpty)

        server.zap.allowedKeys.insert(b.publicKey)
        let second = try Client(connect: server.endpoint, curve: (b, server.keys.publicKey))
        defer { second.close() }
        _ = try second.dealer.send([Array("2".utf8)], dontWait: true)
        XCTAssertTrue(try server.pump(seconds: 10) { !server.received.isEmpty }, "no message after B was allowed")
        XCTAssertEqual(server.received.map { $0.frames.last ?? [] }, [Array("2".utf8)])
        XCTAssertEqual(server.received.first?.userId, b.publicKeyZ85)
        XCTAssertEqual(server.zap.accepted, 1)
    }

    // MARK: - inproc

    /// inproc:// connections never run a security handshake in libzmq: a CURVE ROUTER takes any
    /// inproc peer of its context, and messages carry no User-Id. Callers that require CURVE
    /// must treat a nil User-Id as unauthenticated (or not bind inproc://).
    func testInprocIsNotAuthenticated() throws {
        let a = try CurveKeyPair.generate()
        let server = try Server(bind: "inproc://curve-test", allowed: [a])
        defer { server.close() }
        let plain = try Client(connect: "inproc://curve-test", curve: nil, context: server.context)
        defer { plain.dealer.close() }
        let listed = try Client(connect: "inproc://curve-test", curve: (a, server.keys.publicKey), context: server.context)
        defer { listed.dealer.close() }

        XCTAssertTrue(try plain.dealer.send([Array("plain".utf8)]))
        XCTAssertTrue(try listed.dealer.send([Array("curve".utf8)]))
        XCTAssertTrue(try server.pump(seconds: 5) { server.received.count == 2 })
        XCTAssertEqual(Set(server.received.map { String(decoding: $0.frames[1], as: UTF8.self) }), ["plain", "curve"])
        XCTAssertEqual(server.received.map(\.userId), [nil, nil])
        XCTAssertEqual(server.zap.accepted + server.zap.totalRefused, 0)
    }
}

// The raw option numbers, for the impersonation test (which needs a mismatched pair).
private let ZMQ_CURVE_PUBLICKEY_VALUE: Int32 = 48
private let ZMQ_CURVE_SECRETKEY_VALUE: Int32 = 49
private let ZMQ_CURVE_SERVERKEY_VALUE: Int32 = 50
