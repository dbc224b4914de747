import FedFuzz
import FedSim
import Foundation
import XCTest

/// Hostile input: `fedsim fuzz` fires malformed and unauthorised messages at a coordinator
/// while a real federation trains. The run must finish, and the model must come out exactly as
/// in the same run without the fuzzer: bad messages are counted and dropped, never aggregated.
final class FuzzEndToEndTests: EndToEndTestCase {
    private static var long: Bool { ProcessInfo.processInfo.environment["FEDSIM_LONG_TESTS"] == "1" }

    /// Messages the fuzzer sends: 20,000 by default, 100,000 with FEDSIM_LONG_TESTS=1.
    private static var fuzzCount: Int { long ? 100_000 : 20_000 }

    /// Enough rounds that the fuzzer fires while they run (it starts once every client registered).
    private static var rounds: Int { long ? 200 : 30 }

    /// Every client answers 0.5 s late in every round (a fixed straggler delay, well inside the
    /// deadline, so every update still counts and the model is the plain run's): the federation
    /// lasts at least rounds x 0.5 s however fast training is, and the fuzzer's messages arrive
    /// while it runs. Without it, a fast build finished its rounds before the fuzzer had sent a
    /// fifth of them.
    private var settings: [String] {
        ["--set", "federation.clients=3", "--set", "federation.rounds=\(Self.rounds)",
         "--set", "federation.local_epochs=2", "--set", "federation.deadline=60",
         "--set", "faults={straggler: 1, delay: 0.5, distribution: fixed}"]
    }

    /// Columns that may differ between the plain and the fuzzed run: timings, and the
    /// rejection counts (the fuzzer's messages are counted in the round they arrive in, or the
    /// next one when they arrive between rounds).
    private static let volatileColumns: Set<String> = ["aggregation_ms", "round_ms", "rejected", "reject_reasons"]

    // MARK: - Generator (in process)

    /// Every case kind decodes to the reason the docs promise (codec rules), or decodes
    /// cleanly when the coordinator's session rules are what refuse it; only oversized cases
    /// exceed the coordinator's frame cap; the sequence is a function of the seed.
    func testFuzzCasesBreakTheRuleTheyAreNamedFor() throws {
        let target = FuzzTarget(fingerprint: 0x1234_5678_9ABC_DEF0, parameterCount: 4810, clients: 3)
        let sessionReasons: Set<String> = ["unknown_sender", "unexpected_kind", "id_taken", "unknown_client", "fingerprint"]
        var fuzzer = MessageFuzzer(target: target, seed: 42)
        for kind in FuzzKind.allCases {
            for _ in 0..<40 {
                let c = fuzzer.make(kind)
                XCTAssertEqual(c.kind, kind)
                let largest = c.frames.map(\.count).max() ?? 0
                if kind == .oversizedFrame {
                    XCTAssertGreaterThan(largest, target.maxFrameBytes)
                    continue
                }
                XCTAssertLessThanOrEqual(largest, target.maxFrameBytes, "\(kind) would make libzmq drop the connection")
                XCTAssertFalse(c.frames.isEmpty, "\(kind)")
                guard let expected = kind.expectedReason(clients: target.clients) else { continue }
                let verdict = c.codecVerdict(target)
                if sessionReasons.contains(expected) {
                    XCTAssertTrue(verdict.hasPrefix("ok:"), "\(kind): \(verdict), expected a clean decode")
                } else {
                    XCTAssertEqual(verdict, expected, "\(kind)")
                }
            }
        }
        var a = MessageFuzzer(target: target, seed: 7)
        var b = MessageFuzzer(target: target, seed: 7)
        var c = MessageFuzzer(target: target, seed: 8)
        var differs = false
        for _ in 0..<500 {
            let (x, y, z) = (a.next(), b.next(), c.next())
            XCTAssertEqual(x.kind, y.kind)
            XCTAssertEqual(x.frames, y.frames)
            if x.frames != z.frames { differs = true }
        }
        XCTAssertTrue(differs, "another seed gives another sequence")
    }

    // MARK: - Federation under fire

    /// The same federation twice with the same seed, the second time with `fedsim fuzz` firing
    /// at the coordinator during the rounds: same model bytes, same per-round figures, and the
    /// fuzzed run's rounds.csv counts the rejections by reason.
    func testFuzzedRunMatchesThePlainRun() throws {
        let plain = try federation("plain", fuzz: false)
        XCTAssertEqual(plain.code, 0, harness.text("plain-coordinator.log"))
        let fuzzed = try federation("fuzzed", fuzz: true)
        XCTAssertEqual(fuzzed.code, 0, "the coordinator must survive the fuzzer: " + harness.text("fuzzed-coordinator.log").suffix(4000))

        // The fuzzer did its part.
        let summary = try XCTUnwrap(fuzzed.fuzzSummary, harness.text("fuzz.log"))
        XCTAssertEqual(field("messages", in: summary), Self.fuzzCount, summary)
        let sent = field("sent", in: summary) ?? 0
        let dropped = field("dropped", in: summary) ?? 0
        XCTAssertEqual(sent + dropped, Self.fuzzCount, summary)
        XCTAssertGreaterThan(sent, 0, summary)
        // Delivered to the running coordinator, not dropped at the fuzzer: most of the count.
        XCTAssertGreaterThanOrEqual(Double(sent), 0.9 * Double(Self.fuzzCount), summary)
        XCTAssertFalse(summary.contains("granted="), "the fuzzer must not obtain client ids held by live processes: \(summary)")

        // Both runs completed every round.
        let rounds = Self.rounds
        let a = harness.csv("plain/rounds.csv")
        let b = harness.csv("fuzzed/rounds.csv")
        XCTAssertEqual(a.count, rounds)
        XCTAssertEqual(b.count, rounds, harness.text("fuzzed-coordinator.log").suffix(4000).description)
        XCTAssertEqual(harness.json("fuzzed/summary.json")["status"] as? String, "completed")

        // Same model, bit for bit; same figures in every column but timings and rejections.
        let modelA = try XCTUnwrap(FileManager.default.contents(atPath: harness.path("plain/model.bin")))
        let modelB = try XCTUnwrap(FileManager.default.contents(atPath: harness.path("fuzzed/model.bin")))
        XCTAssertFalse(modelA.isEmpty)
        XCTAssertEqual(modelA, modelB, "the fuzzed run's model differs from the plain run's")
        for (ra, rb) in zip(a, b) {
            for (key, value) in ra where !Self.volatileColumns.contains(key) {
                XCTAssertEqual(rb[key], value, "round \(ra["round"] ?? "?"), column \(key)")
            }
        }
        XCTAssertEqual(harness.text("plain/clients.csv"), harness.text("fuzzed/clients.csv"))

        // The plain run rejected nothing; the fuzzed run counted its rejections by reason.
        XCTAssertEqual(a.reduce(0) { $0 + (Int($1["rejected"] ?? "") ?? 0) }, 0)
        let rejected = b.reduce(0) { $0 + (Int($1["rejected"] ?? "") ?? 0) }
        var reasons: [String: Int] = [:]
        for row in b {
            for item in (row["reject_reasons"] ?? "").split(separator: ";") {
                let parts = item.split(separator: ":")
                if parts.count == 2, let n = Int(parts[1]) { reasons[String(parts[0]), default: 0] += n }
            }
        }
        XCTAssertGreaterThan(rejected, 0)
        XCTAssertEqual(reasons.values.reduce(0, +), rejected, "reject_reasons adds up to rejected")
        XCTAssertGreaterThanOrEqual(reasons.count, 5, "several distinct reason codes: \(reasons)")
        XCTAssertLessThanOrEqual(rejected, sent * 2, "at most two reasons per message (a HELLO with unknown and taken ids)")
    }

    // MARK: - Helpers

    private struct Outcome {
        var code: Int32?
        var fuzzSummary: String?
    }

    /// A hand-started coordinator over tcp://127.0.0.1:* and three client processes; with
    /// `fuzz`, `fedsim fuzz` starts once every client has registered (so that it cannot take
    /// a free client id) and fires `fuzzCount` messages.
    private func federation(_ name: String, fuzz: Bool) throws -> Outcome {
        let log = name + "-coordinator.log"
        let federation = try harness.startFederation(scenario: quickstart, output: name, clientIds: [0, 1, 2], settings: settings,
                                                     logPrefix: name + "-", coordinatorOptions: ["--log-level", "info"])
        let (coordinator, endpoint, clients) = (federation.coordinator, federation.endpoint, federation.clients)
        var fuzzer: ChildProcess?
        if fuzz {
            XCTAssertNotNil(try harness.waitForText(log, timeout: 180) { $0.contains("all 3 clients registered") },
                            harness.text(log))
            fuzzer = try harness.start(["fuzz", "--connect", endpoint, "--scenario", quickstart,
                                        "--count", String(Self.fuzzCount), "--seed", "7"] + settings, log: "fuzz.log")
        }
        let code = harness.wait(coordinator, timeout: Self.long ? 1800 : 900)
        var summary: String?
        if let fuzzer {
            XCTAssertEqual(harness.wait(fuzzer, timeout: 900), 0, harness.text("fuzz.log"))
            summary = harness.text("fuzz.log").split(separator: "\n").last { $0.hasPrefix("fuzz: ") }.map(String.init)
        }
        for c in clients { XCTAssertNotNil(harness.wait(c, timeout: 60)) }
        return Outcome(code: code, fuzzSummary: summary)
    }

    /// The integer value of `name=` in the fuzzer's summary line.
    private func field(_ name: String, in line: String) -> Int? {
        guard let r = line.range(of: " \(name)=") else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }
}
