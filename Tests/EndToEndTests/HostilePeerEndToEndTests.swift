import CZeroMQ
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Peers that never speak, and peers that never finish a message, cannot take a run down.
final class HostilePeerEndToEndTests: EndToEndTestCase {
    /// The report's case: under `ulimit -n 1024`, 1,100 TCP connections that never send a byte
    /// used to exhaust the coordinator's descriptors and fail its next checkpoint
    /// ("checkpoint.bin.tmp: cannot write"). The coordinator stops itself after round 2 (test
    /// hook); the connections are made while it is stopped, so they all arrive at once when it
    /// continues, with 28 rounds (and checkpoints) still to go.
    func testIdleConnectionFloodUnderLowFileLimit() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        guard limit.rlim_max >= 1300 else { throw XCTSkip("this test needs a hard open-file limit of 1300 or more") }
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)

        let rounds = 30
        let settings = ["--set", "federation.clients=2", "--set", "federation.rounds=\(rounds)", "--set", "transport={kind: tcp}"]
        // sh lowers both limits (soft and hard), so fedsim cannot raise them back.
        let coordinator = try harness.start(
            executable: "/bin/sh",
            ["-c", "ulimit -n 1024 && exec \"$0\" \"$@\"", FedsimHarness.binary, "coordinator", "--scenario", quickstart,
             "--bind", "tcp://127.0.0.1:*", "--output", harness.path("flood"), "--progress", "plain"] + settings,
            log: "coordinator.log", environment: ["FEDSIM_TEST_STOP_AFTER_ROUND": "2"])
        let endpoint = try XCTUnwrap(harness.coordinatorEndpoint(log: "coordinator.log"), harness.text("coordinator.log"))
        for id in 0..<2 {
            try harness.start(["client", "--scenario", quickstart, "--connect", endpoint, "--clients", String(id)] + settings,
                              log: "client-\(id).log")
        }
        XCTAssertTrue(harness.waitUntilStopped(coordinator, timeout: 120), harness.text("coordinator.log"))

        let port = try XCTUnwrap(UInt16(endpoint.split(separator: ":").last ?? ""))
        kill(coordinator.pid, SIGCONT)
        // In batches of 50, each let in before the next: a burst larger than the listen backlog
        // would leave most connections half-open in the kernel (SYN cookies), never reaching
        // the coordinator. The wait is for the coordinator's descriptor count, up to a second
        // per batch (a coordinator at its limit accepts no more).
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        let baseline = openDescriptors(coordinator.pid)
        for _ in 0..<22 {
            for _ in 0..<50 {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                XCTAssertGreaterThanOrEqual(fd, 0, String(cString: strerror(errno)))
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = port.bigEndian
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let rc = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                XCTAssertTrue(rc == 0 || errno == EINPROGRESS, String(cString: strerror(errno)))
                sockets.append(fd)
            }
            let deadline = Deadline(seconds: 1)
            while !deadline.hasPassed, case let n = openDescriptors(coordinator.pid), n >= 0, n < min(baseline + sockets.count, 1000) {
                usleep(5000)
            }
        }

        XCTAssertEqual(harness.wait(coordinator, timeout: 240), 0, harness.text("coordinator.log"))
        let summary = harness.json("flood/summary.json")
        XCTAssertEqual(summary["status"] as? String, "completed", harness.text("coordinator.log"))
        XCTAssertEqual(summary["rounds_completed"] as? Int, rounds)
        XCTAssertEqual(harness.csv("flood/rounds.csv").count, rounds)
        XCTAssertFalse(harness.text("coordinator.log").contains("cannot write"), harness.text("coordinator.log"))
        // Idle connections were closed to make room: counted, as refused messages are.
        let reasons = harness.csv("flood/rounds.csv").map { $0["reject_reasons"] ?? "" }.joined(separator: ";")
        XCTAssertTrue(reasons.contains("peer_cap:"), reasons)
    }

    /// The report's case against CURVE: an unlisted key sends 5,000 frames of 200 KB, each
    /// with the "more" flag and never a last one. libzmq's limits count whole messages, so
    /// over plain text these would pile up in the coordinator; under CURVE nothing from an
    /// unauthenticated peer is read past the handshake. The coordinator's resident memory
    /// grows by less than 50 MB.
    func testHalfMultipartFloodFromUnlistedKeyHoldsNoMemory() throws {
        let keys = harness.path("keys")
        XCTAssertEqual(try harness.run(["keygen", "--out", keys, "--clients", "1"], log: "keygen.log", timeout: 60).0, 0)
        let transport = "transport={kind: tcp, security: curve, server_secret: \(keys)/coordinator.key, "
            + "server_key: \(keys)/coordinator.pub, allowed_clients: \(keys)/allowed_clients.txt}"
        let settings = ["--set", "federation.clients=1", "--set", "federation.rounds=3", "--set", transport]
        let coordinator = try harness.start(["coordinator", "--scenario", quickstart, "--bind", "tcp://127.0.0.1:*",
                                             "--output", harness.path("curve"), "--progress", "plain"] + settings,
                                            log: "coordinator.log")
        let endpoint = try XCTUnwrap(harness.coordinatorEndpoint(log: "coordinator.log"), harness.text("coordinator.log"))
        let before = try XCTUnwrap(residentBytes(coordinator.pid))

        let serverKey = try String(contentsOfFile: keys + "/coordinator.pub", encoding: .utf8)
            .split(separator: "\n").first { !$0.hasPrefix("#") && !$0.isEmpty }.map(String.init) ?? ""
        // Raw libzmq, so that every frame can share one 200 KB buffer (zero-copy): the
        // unfinished message would otherwise cost this process the gigabyte it sends.
        var publicKey = [CChar](repeating: 0, count: 41), secretKey = [CChar](repeating: 0, count: 41)
        XCTAssertEqual(zmq_curve_keypair(&publicKey, &secretKey), 0)
        let context = try XCTUnwrap(zmq_ctx_new())
        defer { zmq_ctx_term(context) }
        let dealer = try XCTUnwrap(zmq_socket(context, ZMQ_DEALER))
        var linger: Int32 = 0
        zmq_setsockopt(dealer, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        XCTAssertEqual(zmq_setsockopt(dealer, ZMQ_CURVE_SERVERKEY, serverKey, 40), 0)
        XCTAssertEqual(zmq_setsockopt(dealer, ZMQ_CURVE_PUBLICKEY, publicKey, 40), 0)
        XCTAssertEqual(zmq_setsockopt(dealer, ZMQ_CURVE_SECRETKEY, secretKey, 40), 0)
        XCTAssertEqual(zmq_connect(dealer, endpoint), 0)
        let frame = UnsafeMutableRawPointer.allocate(byteCount: 200_000, alignment: 64)
        memset(frame, 0x5a, 200_000)
        var sent = 0
        for _ in 0..<5000 {
            var msg = zmq_msg_t()
            zmq_msg_init_data(&msg, frame, 200_000, nil, nil)
            if zmq_msg_send(&msg, dealer, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0 { sent += 1 } else { zmq_msg_close(&msg) }
        }
        XCTAssertEqual(sent, 5000)
        defer {
            zmq_close(dealer)       // linger 0: the queued frames are dropped, then the buffer can go
            frame.deallocate()
        }
        // The coordinator refuses the key (logged once per round as unauthorized_key).
        XCTAssertNotNil(try harness.waitForText("coordinator.log", timeout: 60) { $0.contains("unauthorized_key") },
                        harness.text("coordinator.log"))
        let after = try XCTUnwrap(residentBytes(coordinator.pid))
        print("half-multipart flood from an unlisted key: coordinator RSS \(before >> 20) MB -> \(after >> 20) MB")
        XCTAssertLessThan(after - before, 50 << 20, "coordinator grew from \(before >> 20) MB to \(after >> 20) MB")
        coordinator.terminate(grace: 1)
    }

    /// Descriptors `pid` has open; -1 once it is gone.
    private func openDescriptors(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// VmRSS of `pid`, in bytes.
    private func residentBytes(_ pid: pid_t) throws -> Int? {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return nil }
        return kb * 1024
    }
}
