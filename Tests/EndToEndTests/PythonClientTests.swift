import Foundation
import XCTest

/// The Python client sketch in docs/PROTOCOL.md, run as written, joins a federation next to a
/// Swift client: the protocol document is enough to write a client in another language.
final class PythonClientTests: EndToEndTestCase {
    /// The ```python block of docs/PROTOCOL.md.
    private func protocolSketch() throws -> String {
        let doc = try String(contentsOfFile: FedsimHarness.repository + "/docs/PROTOCOL.md", encoding: .utf8)
        guard let start = doc.range(of: "```python\n"),
              let end = doc.range(of: "\n```", range: start.upperBound..<doc.endIndex) else {
            throw HarnessError("docs/PROTOCOL.md has no ```python block")
        }
        return String(doc[start.upperBound..<end.lowerBound])
    }

    func testPythonClientFromTheProtocolDocumentJoins() throws {
        guard let python = ProcessInfo.processInfo.environment["FEDSIM_PYTHON"] else {
            throw XCTSkip("FEDSIM_PYTHON is not set (scripts/test sets it to a venv with pyzmq and numpy)")
        }
        let script = harness.path("client.py")
        try (protocolSketch() + """

            if __name__ == '__main__':
                import sys
                # Client 1 shrinks the global model by 1%; its samples come from the session document.
                run(sys.argv[1], [1], lambda cid, m, session: (m * np.float32(0.99), 0.5), int(sys.argv[2], 16))

            """).write(toFile: script, atomically: true, encoding: .utf8)

        let settings = ["--set", "federation.clients=2", "--set", "federation.rounds=3"]
        let (checkCode, resolved) = try harness.run(["check", quickstart] + settings, log: "check.log", timeout: 60)
        XCTAssertEqual(checkCode, 0, resolved)
        let fingerprint = try XCTUnwrap(resolved.components(separatedBy: "# fingerprint: 0x").last?
            .split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) })

        // A Swift client for client 0; the Python sketch hosts client 1.
        let federation = try harness.startFederation(scenario: quickstart, output: "py", clientIds: [0], settings: settings)
        let py = try harness.start(executable: python, ["-u", script, federation.endpoint, fingerprint], log: "python.log")

        XCTAssertEqual(harness.wait(federation.coordinator, timeout: 120), 0, harness.text("coordinator.log"))
        XCTAssertEqual(harness.wait(py, timeout: 30), 0, harness.text("python.log"))
        XCTAssertTrue(harness.text("python.log").contains("shutdown: run complete"), harness.text("python.log"))
        let rounds = harness.csv("py/rounds.csv")
        XCTAssertEqual(rounds.count, 3)
        XCTAssertTrue(rounds.allSatisfy { $0["received"] == "2" && $0["rejected"] == "0" }, "\(rounds)")
        let python1 = harness.csv("py/clients.csv").filter { $0["client"] == "1" }
        // The shard size the session document gave it (the coordinator refuses any other).
        let swift0 = harness.csv("py/clients.csv").filter { $0["client"] == "0" }
        XCTAssertEqual(python1.count, 3)
        XCTAssertTrue(python1.allSatisfy { Int($0["samples"] ?? "") ?? 0 > 0 }, "\(python1)")
        XCTAssertEqual(swift0.count, 3)
        XCTAssertEqual(python1.map { $0["train_loss"] }, ["0.5", "0.5", "0.5"])
    }

    /// A version-1 client gets a SHUTDOWN it can decode (version-1 header) that names the
    /// versions, instead of silence; the run goes on with the Swift client.
    func testVersionOneClientIsRefusedInWordsItCanRead() throws {
        guard let python = ProcessInfo.processInfo.environment["FEDSIM_PYTHON"] else {
            throw XCTSkip("FEDSIM_PYTHON is not set (scripts/test sets it to a venv with pyzmq and numpy)")
        }
        let script = harness.path("v1.py")
        try """
            import struct, sys, zmq
            HDR = struct.Struct('<4sHBBIIIIQ')
            ctx = zmq.Context(); s = ctx.socket(zmq.DEALER); s.setsockopt(zmq.LINGER, 0); s.connect(sys.argv[1])
            s.send_multipart([HDR.pack(b'FSIM', 1, 1, 0, 0, 0, 0, 1, 0), struct.pack('<I', 1)], flags=zmq.NOBLOCK)
            if not s.poll(timeout=60000): sys.exit('no answer')
            frames = s.recv_multipart()
            magic, version, kind, flags, rnd, client, samples, count, aux = HDR.unpack(frames[0])
            print('version', version, 'kind', kind, 'reason:', frames[1].decode('utf-8'))

            """.write(toFile: script, atomically: true, encoding: .utf8)
        let settings = ["--set", "federation.clients=1", "--set", "federation.rounds=2"]
        let federation = try harness.startFederation(scenario: quickstart, output: "v1", clientIds: [0], settings: settings)
        let py = try harness.start(executable: python, ["-u", script, federation.endpoint], log: "v1.log")
        XCTAssertEqual(harness.wait(py, timeout: 60), 0, harness.text("v1.log"))
        XCTAssertTrue(harness.text("v1.log").contains("version 1 kind 6 reason: rejected: protocol version 1 is not supported; "
                                                      + "this coordinator speaks version 2"), harness.text("v1.log"))
        XCTAssertEqual(harness.wait(federation.coordinator, timeout: 120), 0, harness.text("coordinator.log"))
    }
}
