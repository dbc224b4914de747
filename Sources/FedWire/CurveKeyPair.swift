import CZeroMQ

/// A Curve25519 key pair for CurveZMQ: 32-byte public and secret keys, and their 40-character
/// Z85 text forms (the form libzmq, pyzmq and key files use).
///
/// The coordinator's pair makes its ROUTER a CURVE server; each client process has its own pair
/// and knows the coordinator's public key. Key files: see `CurveKeyPair+Files.swift`.
public struct CurveKeyPair: Equatable, Sendable {
    /// Bytes in a CURVE key.
    public static let keyLength = 32
    /// Characters in a Z85 CURVE key.
    public static let z85KeyLength = 40

    /// The public key (32 bytes): give it to peers.
    public let publicKey: [UInt8]
    /// The secret key (32 bytes): never leaves this machine.
    public let secretKey: [UInt8]

    /// `publicKey` in Z85 (40 characters). This is the User-Id a ZAP handler gives a client.
    public var publicKeyZ85: String { Self.z85(publicKey) }
    /// `secretKey` in Z85 (40 characters).
    public var secretKeyZ85: String { Self.z85(secretKey) }

    /// A new random key pair (`zmq_curve_keypair`, libsodium).
    ///
    /// - Throws: `CurveKeyError.curveUnavailable` when libzmq was built without CURVE.
    public static func generate() throws(CurveKeyError) -> CurveKeyPair {
        try requireCurve()
        var pub = [CChar](repeating: 0, count: z85KeyLength + 1)
        var sec = [CChar](repeating: 0, count: z85KeyLength + 1)
        let rc = zmq_curve_keypair(&pub, &sec)
        guard rc == 0 else { throw .zmq(ZMQError(call: "zmq_curve_keypair", errno: zmq_errno())) }
        defer { for i in sec.indices { sec[i] = 0 } }
        return CurveKeyPair(checkedPublic: try Z85.decodeKey(text(pub)), secret: try Z85.decodeKey(text(sec)))
    }

    /// The pair of a 32-byte secret key; the public key is derived (`zmq_curve_public`).
    public init(secretKey: [UInt8]) throws(CurveKeyError) {
        guard secretKey.count == Self.keyLength else { throw .wrongKeyLength(got: secretKey.count) }
        try Self.requireCurve()
        var sec = Array(try Z85.encode(secretKey).utf8CString)
        defer { for i in sec.indices { sec[i] = 0 } }
        var pub = [CChar](repeating: 0, count: Self.z85KeyLength + 1)
        let rc = zmq_curve_public(&pub, &sec)
        guard rc == 0 else { throw .zmq(ZMQError(call: "zmq_curve_public", errno: zmq_errno())) }
        self.init(checkedPublic: try Z85.decodeKey(Self.text(pub)), secret: secretKey)
    }

    /// The pair of a Z85 secret key (40 characters); the public key is derived.
    public init(secretKeyZ85: String) throws(CurveKeyError) {
        try self.init(secretKey: try Z85.decodeKey(secretKeyZ85))
    }

    private init(checkedPublic: [UInt8], secret: [UInt8]) {
        publicKey = checkedPublic
        secretKey = secret
    }

    /// Whether this libzmq supports CURVE (`zmq_has("curve")`).
    public static var isCurveAvailable: Bool { zmq_has("curve") == 1 }

    // MARK: - Helpers

    /// A 32-byte key as Z85; callers pass keys already checked to be 32 bytes.
    static func z85(_ key: [UInt8]) -> String {
        (try? Z85.encode(key)) ?? ""
    }

    /// Checks that `key` is a 32-byte key.
    static func checkKey(_ key: [UInt8]) throws(CurveKeyError) {
        guard key.count == keyLength else { throw .wrongKeyLength(got: key.count) }
    }

    private static func requireCurve() throws(CurveKeyError) {
        guard isCurveAvailable else { throw .curveUnavailable }
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension CurveKeyPair: CustomStringConvertible {
    /// Shows the public key only: a key pair printed in a log must not leak its secret.
    public var description: String { "CurveKeyPair(public: \(publicKeyZ85))" }
}
