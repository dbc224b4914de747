@testable import FedSim
import FedWire
import XCTest

/// The socket size limits (one place, the values the three components set before the seam)
/// and the memory transports that keep them.
final class TransportTests: XCTestCase {
    /// Each limit against its formula written out by hand, for models smaller and larger than
    /// the federation.
    func testMessageSizeLimitsAreTheFormulasOfEachSide() {
        let table: [(d: Int, n: Int, updates: Int64, tasks: Int64, tap: Int64)] = [
            (650, 10, 32 + 2600 + 64, 32 + 5200 + 1024, 32 + 2600 + 64),        // quickstart
            (10, 1000, 32 + 4000 + 64, 32 + 8000 + 1024, 32 + 40 + 64),          // tiny model, many clients
            (2, 5, 32 + 20 + 64, 32 + 40 + 1024, 32 + 8 + 64),
            (1_000_000, 100_000, 32 + 4_000_000 + 64, 32 + 8_000_000 + 1024, 32 + 4_000_000 + 64),
        ]
        for c in table {
            XCTAssertEqual(MessageSizeLimit.forUpdates(parameters: c.d, clients: c.n), c.updates, "d \(c.d) n \(c.n)")
            XCTAssertEqual(MessageSizeLimit.forTasks(parameters: c.d, clients: c.n), c.tasks, "d \(c.d) n \(c.n)")
            XCTAssertEqual(ServerRole.coordinator(parameters: c.d, clients: c.n, curve: nil).maxMessageSize, c.updates)
            XCTAssertEqual(ServerRole.hub(parameters: c.d, clients: c.n).maxMessageSize, c.updates)
            // A client also receives WELCOME's session document (up to 64 MiB).
            XCTAssertEqual(ClientRole.client(parameters: c.d, clients: c.n, curve: nil).maxMessageSize,
                           max(c.tasks, MessageSizeLimit.forWelcome))
            XCTAssertEqual(ClientRole.tapReceiver(parameters: c.d).maxMessageSize, c.tap)
        }
        for role in [ClientRole.hubClient, .sybil, .tapSender] { XCTAssertNil(role.maxMessageSize, role.name) }
        XCTAssertEqual([ClientRole.hubClient, .sybil, .tapSender, .tapReceiver(parameters: 1)].map(\.binds), [false, false, false, true])
    }

    /// The largest legal messages fit; one frame more than the limit never arrives.
    func testMemoryTransportsKeepTheLimits() throws {
        let net = MemoryNetwork()
        let d = 10, n = 1000
        let server = try XCTUnwrap(try net.listen("memory://c", as: .coordinator(parameters: d, clients: n, curve: nil)) as? MemoryServerTransport)
        server.push(.hello(fingerprint: 1, clientIds: (0..<UInt32(n)).map { $0 }), from: [1])
        server.push(.update(round: 1, clientId: 0, samples: 1, trainLoss: 0, delta: [Float](repeating: 0, count: d)), from: [1])
        server.push([[UInt8](repeating: 0, count: Int(MessageSizeLimit.forUpdates(parameters: d, clients: n)) + 1)], from: [2])
        XCTAssertEqual(server.queued, 2)
        XCTAssertEqual(server.oversizedDropped, 1)

        let client = try XCTUnwrap(try net.open("memory://c", as: .client(parameters: d, clients: n, curve: nil)) as? MemoryClientTransport)
        client.push(.task(round: 1, clientIds: (0..<UInt32(n)).map { $0 }, model: [Float](repeating: 0, count: d)))
        client.push(.shutdown(reason: String(repeating: "x", count: 1024)))
        XCTAssertEqual(client.queued, 2)
        XCTAssertEqual(client.oversizedDropped, 0)
    }

    func testMemoryServerTransportQueuesInOrderAndRecordsWhatItSent() throws {
        let net = MemoryNetwork()
        let server = try XCTUnwrap(try net.listen("memory://hub", as: .hub(parameters: 2, clients: 3)) as? MemoryServerTransport)
        XCTAssertIdentical(net.server("hub"), server)
        XCTAssertNil(try server.receive())
        server.push([[1], [2]], from: [7], userId: "key")
        server.pushRefusal("refused")
        XCTAssertEqual(try server.receive(), .message(identity: [7], frames: [[1], [2]], userId: "key"))
        XCTAssertEqual(try server.receive(), .refused("refused"))
        XCTAssertNil(try server.receive())
        XCTAssertTrue(try server.send([[3]], to: [7]))
        XCTAssertTrue(try server.send([[4]], to: [8]))
        XCTAssertEqual(server.takeSent().map(\.identity), [[7], [8]])
        XCTAssertTrue(server.takeSent().isEmpty, "takeSent returns what is new")
        XCTAssertEqual(server.sent.count, 2)
        net.close()
        XCTAssertTrue(server.isClosed)
        XCTAssertThrowsError(try server.receive())
        XCTAssertThrowsError(try server.send([[1]], to: [7]))
    }
}
