import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CurveZMQ options and the authenticated peer of a received message.
///
/// Set these before `bind`/`connect`: libzmq applies security options to connections made
/// after they are set.
extension ZMQSocket {
    /// The ZAP domain every fedsim CURVE server sets, so that a ZAP handler is always consulted.
    public static let zapDomain = "fedsim"

    // MARK: - CURVE

    /// Makes this socket a CURVE server: `ZMQ_CURVE_SERVER` = 1, `ZMQ_CURVE_SECRETKEY`, and
    /// `ZMQ_ZAP_DOMAIN` = `zapDomain`.
    ///
    /// Clients are authenticated only when a ZAP handler (`ZAPHandler`) is bound in this
    /// socket's context before clients connect: libzmq 4.3 lets every CURVE client in when no
    /// handler is bound (`ZMQ_ZAP_ENFORCE_DOMAIN`, which would refuse them, is a draft option
    /// the installed header does not expose).
    ///
    /// - Parameter secretKey: the server's 32-byte secret key.
    public func setCurveServer(secretKey: [UInt8]) throws(ZMQError) {
        try checkKeyLength(secretKey, name: "ZMQ_CURVE_SECRETKEY")
        try setOption(ZMQ_CURVE_SERVER, 1, name: "ZMQ_CURVE_SERVER")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: secretKey, name: "ZMQ_CURVE_SECRETKEY")
        try setZAPDomain(Self.zapDomain)
    }

    /// Makes this socket a CURVE client of the server whose public key is `serverPublicKey`:
    /// `ZMQ_CURVE_SERVERKEY`, `ZMQ_CURVE_PUBLICKEY`, `ZMQ_CURVE_SECRETKEY`.
    ///
    /// A wrong server key is not an error here: the handshake fails silently (libzmq retries
    /// the connection), so nothing is ever delivered either way.
    public func setCurveClient(keys: CurveKeyPair, serverPublicKey: [UInt8]) throws(ZMQError) {
        try checkKeyLength(serverPublicKey, name: "ZMQ_CURVE_SERVERKEY")
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: serverPublicKey, name: "ZMQ_CURVE_SERVERKEY")
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: keys.publicKey, name: "ZMQ_CURVE_PUBLICKEY")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: keys.secretKey, name: "ZMQ_CURVE_SECRETKEY")
    }

    /// `ZMQ_ZAP_DOMAIN`: the domain sent in ZAP requests (a non-empty domain also makes NULL
    /// sockets consult ZAP).
    public func setZAPDomain(_ domain: String) throws(ZMQError) {
        try setOption(ZMQ_ZAP_DOMAIN, string: domain, name: "ZMQ_ZAP_DOMAIN")
    }

    /// `ZMQ_MECHANISM`: the security mechanism in effect (`ZMQ_NULL` 0, `ZMQ_PLAIN` 1, `ZMQ_CURVE` 2).
    public var securityMechanism: Int32 {
        get throws(ZMQError) { try getOption(ZMQ_MECHANISM, name: "ZMQ_MECHANISM") }
    }

    private func checkKeyLength(_ key: [UInt8], name: String) throws(ZMQError) {
        guard key.count == CurveKeyPair.keyLength else {
            throw ZMQError(call: "zmq_setsockopt", detail: name, errno: EINVAL,
                           message: "a CURVE key is \(CurveKeyPair.keyLength) bytes, got \(key.count)")
        }
    }

    // MARK: - Receive with metadata

    /// Like `receive(dontWait:)`, and also returns the message's `User-Id` property: the
    /// identity the ZAP handler gave the sender's connection (for fedsim's `ZAPHandler`, the
    /// client's Z85 public key). nil when the connection was not authenticated by ZAP (NULL
    /// mechanism, inproc://, or no handler bound).
    public func receiveWithMetadata(dontWait: Bool = false) throws(ZMQError) -> (frames: [[UInt8]], userId: String?)? {
        try receiveParts(dontWait: dontWait, userId: true)
    }
}
