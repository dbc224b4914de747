@testable import FedSim
import FedCore
import Foundation
import XCTest

/// A run too large for the machine is refused from the scenario, before any model is allocated.
final class MemoryEstimateTests: XCTestCase {
    private func scenario(_ yaml: String) throws -> Scenario {
        try Scenario.parse(yaml: yaml, file: "s.yaml", baseDirectory: ".")
    }

    func testHandComputedEstimate() throws {
        // 10 clients in 5 processes, 80% sampled (8 per round), 2 malicious crafted in the hub (ALIE).
        let s = try scenario("""
            federation: {clients: 10, processes: 5, fraction: 0.8}
            attack: [{kind: alie, malicious: 2}]
            """)
        let e = MemoryEstimate(scenario: s, parameters: 1000, dataBytes: 500)
        XCTAssertEqual(e.coordinatorBytes, 4000 * (8 + 6) + 500)
        XCTAssertEqual(e.clientProcessBytes, 4000 * 6 + 500)
        XCTAssertEqual(e.hubBytes, 4000 * (2 + 4))
        XCTAssertEqual(e.totalBytes, 56_500 + 5 * 24_500 + 24_000)
        let c = MemoryEstimate(scenario: s, parameters: 1000, dataBytes: 500, scope: .coordinator)
        XCTAssertEqual(c.totalBytes, 56_500)
        XCTAssertEqual(c.breakdown, "coordinator 55.2 KiB")
    }

    /// Worker momentum: the coordinator keeps every worker's buffer (10) and a round's TASK
    /// states (8); a process hosting 2 clients receives their 2 states (frames and decoded).
    func testWorkerMomentumBuffersAreCounted() throws {
        let s = try scenario("federation: {clients: 10, processes: 5, fraction: 0.8, mode: fedsgd, momentum: 0.9}")
        let e = MemoryEstimate(scenario: s, parameters: 1000, dataBytes: 500)
        XCTAssertEqual(e.coordinatorBytes, 4000 * (8 + 6 + 10 + 8) + 500)
        XCTAssertEqual(e.clientProcessBytes, 4000 * (6 + 2 * 2) + 500)
        let plain = MemoryEstimate(scenario: try scenario("federation: {clients: 10, processes: 5, fraction: 0.8, mode: fedsgd, momentum: 0}"),
                                   parameters: 1000, dataBytes: 500)
        XCTAssertEqual(plain.coordinatorBytes, 4000 * (8 + 6) + 500, "no buffers without momentum")
        XCTAssertEqual(plain.clientProcessBytes, 4000 * 6 + 500)
    }

    func testLimitParsing() throws {
        let machine = 0x1p34   // 16 GiB
        let cases: [(String, Double?)] = [("16GiB", 0x1p34), ("512 MiB", 0x1p29), ("2G", 0x1p31), ("1e9", 1e9),
                                          ("75%", 0.75 * machine), ("none", nil), ("100B", 100)]
        for (text, bytes) in cases {
            XCTAssertEqual(try MemoryLimit.parse(text, machineBytes: machine).bytes, bytes, text)
        }
        for bad in ["abc", "-1G", "0", "150%", "G"] {
            XCTAssertThrowsError(try MemoryLimit.parse(bad, machineBytes: machine), bad) {
                XCTAssertEqual("\($0)", "FEDSIM_MEMORY_LIMIT=\(bad): expected bytes with a unit (16GiB, 512MiB), a share (75%) or none")
            }
        }
        XCTAssertEqual(try MemoryLimit.current(environment: ["FEDSIM_MEMORY_LIMIT": "1GiB"]).bytes, 0x1p30)
        let byDefault = try MemoryLimit.current(environment: [:])
        XCTAssertGreaterThan(byDefault.bytes ?? 0, 0)
        XCTAssertTrue(byDefault.source.hasPrefix("80% of "), byDefault.source)
    }

    /// The report's case: a huge MLP passes reading, and preparing refuses it in one line
    /// naming the file and the key, without allocating 28 TB.
    func testHugeModelIsRefusedBeforeAllocation() throws {
        let s = try scenario("model: {kind: mlp, hidden: [1000000, 1000000, 1000000]}")
        let limit = MemoryLimit(bytes: 0x1p34, source: "test")
        XCTAssertThrowsError(try FederationData.prepare(s, file: "s.yaml", memoryLimit: limit)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("s.yaml: model: the run needs about 553 TiB of memory (coordinator 116 TiB, "
                                         + "10 client processes x 43.7 TiB; 2000077000010 parameters) but the limit is 16.0 GiB (test)"), text)
            XCTAssertFalse(text.contains("\n"))
        }
        // The quickstart model fits, and no limit means no check.
        XCTAssertNoThrow(try FederationData.prepare(try scenario(""), file: "s.yaml", memoryLimit: limit))
        XCTAssertNoThrow(try MemoryEstimate(scenario: s, parameters: 2_000_077_000_010, dataBytes: 0)
            .check(against: MemoryLimit(bytes: nil, source: "none")))
    }

    func testFormat() {
        let cases: [(Double, String)] = [(512, "512 B"), (1536, "1.50 KiB"), (0x1p34 * 1.5, "24.0 GiB"), (0x1p40 * 553, "553 TiB")]
        for (bytes, text) in cases { XCTAssertEqual(MemoryEstimate.format(bytes), text) }
    }
}
