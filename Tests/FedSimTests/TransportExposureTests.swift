@testable import FedSim
import XCTest

/// Plain tcp:// beyond loopback is refused unless the scenario says `security: none` itself.
final class TransportExposureTests: XCTestCase {
    func testExposureByEndpoint() {
        let implicit = TransportConfig(kind: .tcp)
        let explicit = TransportConfig(kind: .tcp, securityIsExplicit: true)
        let curve = TransportConfig(kind: .tcp, security: .curve)
        let cases: [(TransportConfig, String, Bool)] = [
            (implicit, "tcp://127.0.0.1:5555", false),
            (implicit, "tcp://127.0.0.1:*", false),
            (implicit, "tcp://localhost:5555", false),
            (implicit, "tcp://[::1]:5555", false),
            (implicit, "ipc:///tmp/fedsim/c.sock", false),
            (implicit, "tcp://0.0.0.0:5555", true),
            (implicit, "tcp://10.1.2.3:5555", true),
            (implicit, "tcp://[::]:5555", true),
            (implicit, "tcp://eth0:5555", true),
            (explicit, "tcp://0.0.0.0:5555", false),
            (curve, "tcp://0.0.0.0:5555", false),
        ]
        for (config, endpoint, exposed) in cases {
            XCTAssertEqual(config.exposure(binding: endpoint) != nil, exposed, endpoint)
        }
    }

    func testScenarioReadingNamesTheKey() throws {
        XCTAssertThrowsError(try Scenario.parse(yaml: "transport:\n  kind: tcp\n  host: 0.0.0.0\n", file: "s.yaml", baseDirectory: ".")) {
            XCTAssertEqual("\($0)", "s.yaml:3:9: transport.host: plain tcp:// on 0.0.0.0 lets anyone who can reach the port join as a client "
                           + "and hold unbounded memory with half-sent messages (nothing is authenticated); use security: curve "
                           + "(docs/DEPLOY.md), or write security: none to accept that")
        }
        let s = try Scenario.parse(yaml: "transport: {kind: tcp, host: 0.0.0.0, security: none, max_peers: 300}\n",
                                   file: "s.yaml", baseDirectory: ".")
        XCTAssertEqual(s.transport.maxPeers, 300)
        XCTAssertTrue(s.transport.securityIsExplicit)
        // The resolved form (what client processes load) says security itself, so it reads back.
        XCTAssertNoThrow(try Scenario.parse(yaml: s.resolvedYAML(), file: "r.yaml", baseDirectory: "."))
    }

    func testCoordinatorRefusesAnExposedBind() throws {
        let s = try Scenario.parse(yaml: "transport: {kind: tcp}\nfederation: {clients: 2, rounds: 1}\n", file: "s.yaml", baseDirectory: ".")
        let data = try FederationData.prepare(s)
        XCTAssertThrowsError(try Coordinator(scenario: s, data: data, network: MemoryNetwork(), endpoint: "tcp://0.0.0.0:5555",
                                             logger: .init(label: "test"))) {
            XCTAssertTrue("\($0)".hasPrefix("tcp://0.0.0.0:5555: plain tcp:// on 0.0.0.0 lets anyone"), "\($0)")
        }
    }
}
