import FedTestSupport
import XCTest
@testable import FedWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class CurveKeyTests: XCTestCase {
    // MARK: - Helpers

    private func writeFile(_ path: String, _ text: String) throws {
        try KeyFile.write(text, path: path, mode: 0o644)
    }

    // MARK: - Z85

    func testRFC32TestVector() throws {
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        XCTAssertEqual(try Z85.encode(bytes), "HelloWorld")
        XCTAssertEqual(try Z85.decode("HelloWorld"), bytes)
    }

    func testRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        for length in [0, 4, 8, 32, 64, 128] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let text = try Z85.encode(bytes)
            XCTAssertEqual(text.count, length / 4 * 5)
            XCTAssertEqual(try Z85.decode(text), bytes, "length \(length)")
        }
        XCTAssertEqual(try Z85.decode(Z85.encode([0, 0, 0, 0])), [0, 0, 0, 0])
        XCTAssertEqual(try Z85.decode(Z85.encode([255, 255, 255, 255])), [255, 255, 255, 255])
    }

    func testZ85Errors() {
        let cases: [(String, () throws -> Void, String)] = [
            ("encode 3 bytes", { _ = try Z85.encode([1, 2, 3]) }, "Z85 encodes a multiple of 4 bytes, got 3 bytes"),
            ("decode 4 chars", { _ = try Z85.decode("Hell") },
             "expected Z85 text with a multiple of 5 characters, got 4 characters"),
            ("space", { _ = try Z85.decode("Hello World") }, "character \" \" at column 6 is not in the Z85 alphabet"),
            ("tilde", { _ = try Z85.decode("HelloWorl~") }, "character \"~\" at column 10 is not in the Z85 alphabet"),
            ("short key", { _ = try Z85.decodeKey("abcdefghijkl") }, "expected a 40-character Z85 key, got 12 characters"),
            ("raw key", { _ = try CurveKeyPair(secretKey: [1, 2, 3]) }, "expected a 32-byte CURVE key, got 3 bytes"),
        ]
        for (name, body, expected) in cases {
            XCTAssertEqual(thrownMessage(body), expected, name)
        }
    }

    // MARK: - Keys

    func testGenerateAndDerive() throws {
        XCTAssertTrue(CurveKeyPair.isCurveAvailable)
        let a = try CurveKeyPair.generate()
        let b = try CurveKeyPair.generate()
        XCTAssertNotEqual(a, b)
        for pair in [a, b] {
            XCTAssertEqual(pair.publicKey.count, 32)
            XCTAssertEqual(pair.secretKey.count, 32)
            XCTAssertEqual(pair.publicKeyZ85.count, 40)
            XCTAssertEqual(pair.secretKeyZ85.count, 40)
            XCTAssertEqual(try Z85.decodeKey(pair.publicKeyZ85), pair.publicKey)
            XCTAssertEqual(try CurveKeyPair(secretKey: pair.secretKey), pair)
            XCTAssertEqual(try CurveKeyPair(secretKeyZ85: pair.secretKeyZ85).publicKey, pair.publicKey)
        }
        XCTAssertFalse("\(a)".contains(a.secretKeyZ85), "description must not show the secret key")
    }

    // MARK: - Key files

    func testWriteAndLoad() throws {
        let temp = try TemporaryDirectory(prefix: "fwk")
        defer { temp.remove() }
        let dir = temp.path
        let pair = try CurveKeyPair.generate()
        try pair.write(secretFile: "\(dir)/c.key", publicFile: "\(dir)/c.pub", comment: "client 3")
        XCTAssertEqual(try CurveKeyPair.load(secretFile: "\(dir)/c.key"), pair)
        XCTAssertEqual(try CurveKeyPair.loadPublic(file: "\(dir)/c.pub"), pair.publicKey)

        var info = stat()
        XCTAssertEqual(stat("\(dir)/c.key", &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        // An existing, readable file is narrowed to 0600 when a secret is written into it.
        chmod("\(dir)/c.key", 0o644)
        try pair.write(secretFile: "\(dir)/c.key", publicFile: "\(dir)/c.pub")
        XCTAssertEqual(stat("\(dir)/c.key", &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600)

        // A secret key file with only the secret key, comments and blank lines.
        try writeFile("\(dir)/bare.key", "# mine\n\n  \(pair.secretKeyZ85)  \r\n")
        XCTAssertEqual(try CurveKeyPair.load(secretFile: "\(dir)/bare.key"), pair)
    }

    func testBadKeyFilesNameFileAndLine() throws {
        let temp = try TemporaryDirectory(prefix: "fwk")
        defer { temp.remove() }
        let dir = temp.path
        let pair = try CurveKeyPair.generate()
        let other = try CurveKeyPair.generate()
        let sec = pair.secretKeyZ85
        let cases: [(file: String, text: String, secret: Bool, expected: String)] = [
            ("client-3.key", "abcdefghijkl\n", true, "client-3.key:1: expected a 40-character Z85 key, got 12 characters"),
            ("comments.key", "# a\n# b\nabcdefghijkl\n", true, "comments.key:3: expected a 40-character Z85 key, got 12 characters"),
            ("empty.key", "# nothing\n", true, "empty.key: no key found; a secret key file holds a 40-character Z85 secret key"),
            ("badchar.key", "\(sec.dropLast())~\n", true, "badchar.key:1: character \"~\" at column 40 is not in the Z85 alphabet"),
            ("mismatch.key", "\(sec)\n\(other.publicKeyZ85)\n", true,
             "mismatch.key:2: this public key does not belong to the secret key on line 1"),
            ("three.key", "\(sec)\n\(pair.publicKeyZ85)\n\(sec)\n", true,
             "three.key:3: unexpected third key line; a secret key file holds the secret key and, optionally, the public key"),
            ("short.pub", "\n\nabc\n", false, "short.pub:3: expected a 40-character Z85 key, got 3 characters"),
            ("secret.pub", "\(sec)\n\(pair.publicKeyZ85)\n", false,
             "secret.pub:2: a public key file holds one key line, found 2 (is this a secret key file?)"),
        ]
        for c in cases {
            let path = "\(dir)/\(c.file)"
            try writeFile(path, c.text)
            let got = thrownMessage {
                if c.secret { _ = try CurveKeyPair.load(secretFile: path) } else { _ = try CurveKeyPair.loadPublic(file: path) }
            }
            XCTAssertEqual(got, "\(dir)/\(c.expected)", c.file)
        }
        XCTAssertEqual(thrownMessage { _ = try CurveKeyPair.load(secretFile: "\(dir)/missing.key") },
                       "\(dir)/missing.key: cannot open: No such file or directory")
    }

    // MARK: - Allowlist

    func testAllowlistFile() throws {
        let temp = try TemporaryDirectory(prefix: "fwk")
        defer { temp.remove() }
        let dir = temp.path
        let a = try CurveKeyPair.generate()
        let b = try CurveKeyPair.generate()
        let path = "\(dir)/allowed_clients.txt"
        try writeFile(path, "# keys\n\(a.publicKeyZ85) 0-4,7\n\n\(b.publicKeyZ85)\t5\n")
        let list = try CurveAllowlist.load(file: path)
        XCTAssertEqual(list.entries.map(\.clientIds), [[0, 1, 2, 3, 4, 7], [5]])
        XCTAssertEqual(list.publicKeys, [a.publicKey, b.publicKey])
        XCTAssertEqual(list.clientIds(forUserId: a.publicKeyZ85), [0, 1, 2, 3, 4, 7])
        XCTAssertNil(list.clientIds(forUserId: "nope"))

        try list.write(file: "\(dir)/again.txt")
        XCTAssertEqual(try CurveAllowlist.load(file: "\(dir)/again.txt"), list)

        let cases: [(String, String)] = [
            ("\(a.publicKeyZ85)\n", "bad.txt:1: expected \"<Z85 public key> <client ids>\", e.g. \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 0-4,7\"; got 1 field"),
            ("\(a.publicKeyZ85) 0-x\n", "bad.txt:1: cannot read client ids \"0-x\"; write ids and ranges such as 0-4,7"),
            ("\(a.publicKeyZ85) 1,1\n", "bad.txt:1: client ids \"1,1\" list an id twice"),
            ("abc 1\n", "bad.txt:1: expected a 40-character Z85 key, got 3 characters"),
            ("\(a.publicKeyZ85) 1\n\(a.publicKeyZ85) 2\n", "bad.txt:2: key \(a.publicKeyZ85) is already listed on line 1"),
            ("\(a.publicKeyZ85) 1-3\n#\n\(b.publicKeyZ85) 3\n", "bad.txt:3: client id 3 is already bound to the key on line 1"),
            ("# none\n", "bad.txt: no client keys listed"),
        ]
        for (text, expected) in cases {
            try writeFile("\(dir)/bad.txt", text)
            XCTAssertEqual(thrownMessage { _ = try CurveAllowlist.load(file: "\(dir)/bad.txt") }, "\(dir)/\(expected)")
        }
    }

    // MARK: - ZAP replies (no sockets)

    func testZAPAnswers() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let a = try CurveKeyPair.generate()
        let b = try CurveKeyPair.generate()
        let zap = try ZAPHandler(context: context, allowedZ85: [a.publicKeyZ85])
        defer { zap.close() }
        func request(_ mechanism: String, _ credentials: [[UInt8]], domain: String = "fedsim", version: String = "1.0") -> [[UInt8]] {
            [Array(version.utf8), [9], Array(domain.utf8), Array("10.0.0.7".utf8), [], Array(mechanism.utf8)] + credentials
        }
        let cases: [(String, [[UInt8]], status: String, text: String, userId: String, refusal: ZAPHandler.Refusal?)] = [
            ("listed", request("CURVE", [a.publicKey]), "200", "OK", a.publicKeyZ85, nil),
            ("unlisted", request("CURVE", [b.publicKey]), "400", "unknown key", "", .unknownKey),
            ("NULL", request("NULL", []), "400", "mechanism NULL not allowed", "", .mechanismNotAllowed("NULL")),
            ("PLAIN", request("PLAIN", [Array("u".utf8), Array("p".utf8)]), "400", "mechanism PLAIN not allowed", "",
             .mechanismNotAllowed("PLAIN")),
            ("domain", request("CURVE", [a.publicKey], domain: "other"), "400", "domain \"other\" not served", "",
             .wrongDomain("other")),
            ("version", request("CURVE", [a.publicKey], version: "2.0"), "500", "malformed ZAP request", "", .malformedRequest),
            ("short key", request("CURVE", [[1, 2]]), "500", "malformed ZAP request", "", .malformedRequest),
            ("too few frames", [Array("1.0".utf8), [9]], "500", "malformed ZAP request", "", .malformedRequest),
        ]
        for c in cases {
            let (reply, decision) = zap.answer(c.1)
            XCTAssertEqual(reply.count, 6, c.0)
            XCTAssertEqual(reply[0], Array("1.0".utf8), c.0)
            XCTAssertEqual(reply[1], [9], c.0)
            XCTAssertEqual(String(decoding: reply[2], as: UTF8.self), c.status, c.0)
            XCTAssertEqual(String(decoding: reply[3], as: UTF8.self), c.text, c.0)
            XCTAssertEqual(String(decoding: reply[4], as: UTF8.self), c.userId, c.0)
            XCTAssertEqual(reply[5], [], c.0)
            XCTAssertEqual(decision.refusal, c.refusal, c.0)
        }
    }

    func testOneZAPHandlerPerContext() throws {
        let context = try ZMQContext()
        defer { context.close() }
        let first = try ZAPHandler(context: context, allowedKeys: [])
        defer { first.close() }
        XCTAssertThrowsError(try ZAPHandler(context: context, allowedKeys: [])) { error in
            XCTAssertEqual((error as? ZMQError)?.errno, EADDRINUSE)
        }
        XCTAssertThrowsError(try ZAPHandler(context: context, allowedKeys: [[1, 2, 3]])) { error in
            XCTAssertEqual(error as? CurveKeyError, .wrongKeyLength(got: 3))
        }
    }
}
