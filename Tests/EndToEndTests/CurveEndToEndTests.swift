import Foundation
import XCTest

/// CurveZMQ end to end with keys from `fedsim keygen`: listed clients join; a client with an
/// unlisted key, a plain-text client and a client asking for another client's id are refused
/// (the first and the last are counted in rounds.csv); the run completes. A local `fedsim run`
/// with `security: curve` uses throwaway keys.
final class CurveEndToEndTests: EndToEndTestCase {
    func testLocalRunWithThrowawayKeys() throws {
        let (code, out) = try harness.run(["run", quickstart, "--output", harness.path("local"), "--progress", "plain",
                                           "--set", "federation.clients=3", "--set", "federation.rounds=3",
                                           "--set", "transport={kind: tcp, security: curve}"], log: "local.log")
        XCTAssertEqual(code, 0, out)
        XCTAssertTrue(harness.csv("local/rounds.csv").allSatisfy { $0["received"] == "3" })
    }

    func testAllowlistAdmitsListedKeysOnly() throws {
        let keys = harness.path("keys")
        XCTAssertEqual(try harness.run(["keygen", "--out", keys, "--clients", "2"], log: "keygen.log", timeout: 60).0, 0)
        XCTAssertEqual(try harness.run(["keygen", "--out", harness.path("intruder"), "--name", "intruder"],
                                       log: "keygen2.log", timeout: 60).0, 0)
        let transport = "transport={kind: tcp, security: curve, server_secret: \(keys)/coordinator.key, "
            + "server_key: \(keys)/coordinator.pub, allowed_clients: \(keys)/allowed_clients.txt}"
        let settings = ["--set", "federation.clients=2", "--set", "federation.rounds=3", "--set", "federation.startup_timeout=20",
                        "--set", transport]
        let coordinator = try harness.start(["coordinator", "--scenario", quickstart, "--bind", "tcp://127.0.0.1:*",
                                             "--output", harness.path("curve"), "--progress", "plain"] + settings,
                                            log: "coordinator.log")
        let ep = try XCTUnwrap(harness.coordinatorEndpoint(log: "coordinator.log"), harness.text("coordinator.log"))
        let client = ["client", "--scenario", quickstart, "--connect", ep]
        let short = settings.map { $0.replacingOccurrences(of: "startup_timeout=20", with: "startup_timeout=6") }

        // Refused: an unlisted key, a plain-text client, a listed key asking for the other client's id.
        let intruder = try harness.start(client + ["--clients", "1", "--key", harness.path("intruder/intruder.key")] + short,
                                         log: "intruder.log")
        let plain = try harness.start(client + ["--clients", "1"] + short + ["--set", "transport={kind: tcp}"],
                                      log: "plain.log")
        let claimer = try harness.start(client + ["--clients", "0", "--key", "\(keys)/client-1.key"] + short, log: "claimer.log")
        XCTAssertEqual(harness.wait(claimer, timeout: 60), 1)
        XCTAssertTrue(harness.text("claimer.log").contains("not bound to this client's key"), harness.text("claimer.log"))
        XCTAssertEqual(harness.wait(intruder, timeout: 60), 1)
        XCTAssertEqual(harness.wait(plain, timeout: 60), 1)
        XCTAssertTrue(harness.text("plain.log").contains("no answer from a coordinator"), harness.text("plain.log"))

        // Admitted: the listed keys with their own ids.
        for id in 0..<2 {
            try harness.start(client + ["--clients", String(id), "--key", "\(keys)/client-\(id).key"] + settings,
                              log: "client-\(id).log")
        }
        XCTAssertEqual(harness.wait(coordinator, timeout: 120), 0, harness.text("coordinator.log"))
        let rounds = harness.csv("curve/rounds.csv")
        XCTAssertEqual(rounds.count, 3)
        XCTAssertTrue(rounds.allSatisfy { $0["received"] == "2" })
        let reasons = rounds.first?["reject_reasons"] ?? ""
        XCTAssertTrue(reasons.contains("unauthorized_key:"), reasons)
        XCTAssertTrue(reasons.contains("key_mismatch:1"), reasons)
    }
}
