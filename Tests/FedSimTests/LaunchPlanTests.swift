@testable import FedSim
import XCTest

/// What `fedsim run` starts: decided from the scenario alone, before any process exists.
final class LaunchPlanTests: XCTestCase {
    private let dir = "/tmp/fedsim-abc123"

    private func plan(_ yaml: String) throws -> LaunchPlan {
        try LaunchPlan(scenario: try Tiny.scenario(yaml), runtimeDirectory: dir)
    }

    func testClientIdsAreSplitOverTheProcesses() throws {
        let table: [(clients: Int, processes: Int?, groups: [[Int]])] = [
            (3, nil, [[0], [1], [2]]),                      // default: one process per client
            (10, 3, [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]]),
            (5, 1, [[0, 1, 2, 3, 4]]),
            (7, 2, [[0, 1, 2], [3, 4, 5, 6]]),
            (4, 4, [[0], [1], [2], [3]]),
        ]
        for c in table {
            let p = try plan("federation: {clients: \(c.clients)\(c.processes.map { ", processes: \($0)" } ?? "")}")
            XCTAssertEqual(p.processes, c.groups, "clients \(c.clients) processes \(c.processes.map(String.init) ?? "default")")
        }
    }

    func testEndpointsAndWhetherTheHubAndTapAreNeeded() throws {
        let table: [(String, coordinator: String, hub: String?, tap: String?)] = [
            ("federation: {clients: 4}", "ipc:///tmp/fedsim-abc123/coordinator", nil, nil),
            ("federation: {clients: 4}\nattack: {kind: sign-flip, malicious: 1}", "ipc:///tmp/fedsim-abc123/coordinator", nil, nil),
            ("federation: {clients: 4}\nattack: {kind: alie, malicious: 1}",
             "ipc:///tmp/fedsim-abc123/coordinator", "ipc:///tmp/fedsim-abc123/hub", nil),
            ("federation: {clients: 4}\nattack: {kind: min-max, malicious: 1, knowledge: omniscient}",
             "ipc:///tmp/fedsim-abc123/coordinator", "ipc:///tmp/fedsim-abc123/hub", "ipc:///tmp/fedsim-abc123/tap"),
            ("transport: {kind: tcp}", "tcp://127.0.0.1:*", nil, nil),
            ("transport: {kind: tcp, host: 0.0.0.0, port: 5555, security: none}\nattack: {kind: ipm, malicious: 2, knowledge: omniscient}",
             "tcp://0.0.0.0:5555", "tcp://0.0.0.0:*", "tcp://0.0.0.0:*"),
        ]
        for (yaml, coordinator, hub, tap) in table {
            let p = try plan(yaml)
            XCTAssertEqual(p.coordinatorEndpoint, coordinator, yaml)
            XCTAssertEqual(p.hubEndpoint, hub, yaml)
            XCTAssertEqual(p.tapEndpoint, tap, yaml)
            XCTAssertFalse(p.throwawayKeys, yaml)
        }
    }

    func testCurveMakesThrowawayKeysOrRefusesKeyFiles() throws {
        XCTAssertTrue(try plan("transport: {security: curve}").throwawayKeys)
        XCTAssertThrowsError(try plan("transport: {security: curve, server_secret: server.key, allowed_clients: allow.txt}")) { error in
            XCTAssertTrue("\(error)".contains("start `fedsim coordinator` and `fedsim client` yourself"), "\(error)")
        }
    }

    func testCommandLinesOfTheChildren() throws {
        let p = try plan("federation: {clients: 5, processes: 2}\nattack: {kind: alie, malicious: 1, knowledge: omniscient}")
        XCTAssertEqual(p.hubArguments(scenarioFile: "/r/scenario.yaml", readyFile: "/tmp/f/hub.ready", parentPid: 42),
                       ["adversary", "--scenario", "/r/scenario.yaml", "--bind", "ipc:///tmp/fedsim-abc123/hub",
                        "--ready-file", "/tmp/f/hub.ready", "--parent-pid", "42", "--tap", "ipc:///tmp/fedsim-abc123/tap"])
        XCTAssertEqual(p.clientArguments(process: 1, scenarioFile: "/r/scenario.yaml", coordinator: "ipc:///x/coordinator",
                                         hub: "ipc:///x/hub", keys: ("/k/client-1.key", "/k/coordinator.pub"), parentPid: 42),
                       ["client", "--scenario", "/r/scenario.yaml", "--connect", "ipc:///x/coordinator", "--clients", "2-4",
                        "--parent-pid", "42", "--hub", "ipc:///x/hub", "--key", "/k/client-1.key", "--server-key", "/k/coordinator.pub"])
        let plain = try plan("federation: {clients: 3}")
        XCTAssertNil(plain.hubArguments(scenarioFile: "s", readyFile: "r", parentPid: 1))
        XCTAssertEqual(plain.clientArguments(process: 0, scenarioFile: "s", coordinator: "c", hub: nil, keys: nil, parentPid: 1),
                       ["client", "--scenario", "s", "--connect", "c", "--clients", "0", "--parent-pid", "1"])
    }
}
