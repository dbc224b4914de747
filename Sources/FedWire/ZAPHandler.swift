#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ZAP handler (ZeroMQ RFC 27) that lets in CURVE clients whose public key is on an
/// allowlist, and gives each accepted connection the client's Z85 public key as its User-Id
/// (read it back with `ZMQSocket.receiveWithMetadata`).
///
/// It owns a REP socket bound to `inproc://zeromq.zap.01` in the server socket's context.
/// Create it BEFORE the server socket binds: libzmq 4.3 admits every CURVE client of a context
/// with no ZAP handler bound. Keep it open as long as the server runs.
///
/// Single-threaded use: put `socket` in the same `zmqPoll` as the server socket and call
/// `serviceAll()` when it is readable. A client's handshake waits until its request is
/// answered, so nothing from it reaches the server before `serviceAll()` has accepted it.
///
/// What reaches the handler: only clients that complete the CURVE handshake up to INITIATE,
/// i.e. that speak CURVE and know the server's public key. A plain-text (NULL) client is
/// dropped by libzmq at the greeting (mechanism mismatch) and a client with a wrong server key
/// at HELLO; neither is seen or counted here. libzmq 4.3 does not retry a connection that ZAP
/// refused (the client's connect ends silently; its sends just queue), so each refusal is one
/// connection attempt; a client let in later must connect again.
public final class ZAPHandler {
    /// The endpoint libzmq sends ZAP requests to (RFC 27).
    public static let endpoint = "inproc://zeromq.zap.01"

    /// Why a request was refused (status 400, or 500 for a malformed request).
    public enum Refusal: Hashable, Sendable, CustomStringConvertible {
        /// CURVE, with a public key not on the allowlist.
        case unknownKey
        /// A mechanism other than CURVE (NULL, PLAIN).
        case mechanismNotAllowed(String)
        /// A ZAP domain other than the handler's.
        case wrongDomain(String)
        /// Not a valid RFC 27 request (version, frame count, key length).
        case malformedRequest

        /// The status text sent back (and shown in logs).
        public var description: String {
            switch self {
            case .unknownKey: "unknown key"
            case .mechanismNotAllowed(let m): "mechanism \(m) not allowed"
            case .wrongDomain(let d): "domain \"\(d)\" not served"
            case .malformedRequest: "malformed ZAP request"
            }
        }
    }

    /// One answered request, for logging.
    public struct Decision: Equatable, Sendable {
        /// The peer's address as libzmq reports it (e.g. `127.0.0.1`).
        public let address: String
        /// `NULL`, `PLAIN` or `CURVE`.
        public let mechanism: String
        /// The client's Z85 public key (CURVE requests), accepted or not.
        public let clientKey: String?
        /// nil when accepted.
        public let refusal: Refusal?
    }

    /// The REP socket bound to `endpoint`; poll it for `.readable`.
    public let socket: ZMQSocket
    /// The context served (the server socket must belong to it).
    public let context: ZMQContext
    /// The ZAP domain served (`ZMQSocket.zapDomain` unless told otherwise).
    public let domain: String
    /// The public keys let in. Changes apply to handshakes answered afterwards.
    public var allowedKeys: Set<[UInt8]>

    /// Handshakes accepted so far.
    public private(set) var accepted = 0
    /// Handshakes refused so far, by reason.
    public private(set) var refused: [Refusal: Int] = [:]
    /// All handshakes refused so far.
    public var totalRefused: Int { refused.values.reduce(0, +) }

    /// Binds the handler in `context`, allowing `allowedKeys` (32-byte public keys).
    ///
    /// - Throws: `CurveKeyError.wrongKeyLength` for a key that is not 32 bytes; `ZMQError`
    ///   when the endpoint is taken (`EADDRINUSE`: one handler per context).
    public init(context: ZMQContext, allowedKeys: Set<[UInt8]>, domain: String = ZMQSocket.zapDomain) throws {
        for key in allowedKeys { try CurveKeyPair.checkKey(key) }
        self.context = context
        self.domain = domain
        self.allowedKeys = allowedKeys
        socket = try ZMQSocket(context: context, type: .rep)
        do {
            try socket.bind(Self.endpoint)
        } catch {
            socket.close()
            throw error
        }
    }

    /// Binds the handler, allowing keys given in Z85 (40 characters each).
    public convenience init(context: ZMQContext, allowedZ85 keys: [String], domain: String = ZMQSocket.zapDomain) throws {
        var set = Set<[UInt8]>()
        for key in keys { set.insert(try Z85.decodeKey(key)) }
        try self.init(context: context, allowedKeys: set, domain: domain)
    }

    /// Binds the handler, allowing the keys of `allowlist`.
    public convenience init(context: ZMQContext, allowlist: CurveAllowlist, domain: String = ZMQSocket.zapDomain) throws {
        try self.init(context: context, allowedKeys: allowlist.publicKeys, domain: domain)
    }

    deinit { socket.close() }

    /// Closes the handler's socket. After this, libzmq admits every CURVE client of the
    /// context: close it only with (or after) the server socket.
    public func close() { socket.close() }

    /// Makes `server` (a socket of this handler's context) a CURVE server with `secretKey`.
    ///
    /// - Throws: `ZMQError` (`EINVAL`) when `server` belongs to another context, where this
    ///   handler would never be asked.
    public func secureServer(_ server: ZMQSocket, secretKey: [UInt8]) throws(ZMQError) {
        guard server.context === context else {
            throw ZMQError(call: "zmq_setsockopt", detail: "ZMQ_CURVE_SERVER", errno: EINVAL,
                           message: "the server socket must be in the ZAP handler's context")
        }
        try server.setCurveServer(secretKey: secretKey)
    }

    // MARK: - Serving

    /// Answers every pending ZAP request without blocking, and returns what was decided.
    @discardableResult
    public func serviceAll() throws(ZMQError) -> [Decision] {
        var decisions: [Decision] = []
        while let request = try socket.receive(dontWait: true) {
            let (reply, decision) = answer(request)
            try socket.send(reply)
            if let refusal = decision.refusal {
                refused[refusal, default: 0] += 1
            } else {
                accepted += 1
            }
            decisions.append(decision)
        }
        return decisions
    }

    /// The reply to one request (RFC 27) and the decision it records. Pure: no socket.
    func answer(_ request: [[UInt8]]) -> (reply: [[UInt8]], decision: Decision) {
        let requestId = request.count > 1 ? request[1] : []
        func reply(_ status: String, _ text: String, userId: String) -> [[UInt8]] {
            [Array("1.0".utf8), requestId, Array(status.utf8), Array(text.utf8), Array(userId.utf8), []]
        }
        guard request.count >= 6, request[0] == Array("1.0".utf8) else {
            let decision = Decision(address: "", mechanism: "", clientKey: nil, refusal: .malformedRequest)
            return (reply("500", Refusal.malformedRequest.description, userId: ""), decision)
        }
        let requestDomain = String(decoding: request[2], as: UTF8.self)
        let address = String(decoding: request[3], as: UTF8.self)
        let mechanism = String(decoding: request[5], as: UTF8.self)
        let credentials = request.dropFirst(6)
        var clientKey: String?
        let refusal: Refusal?
        if mechanism != "CURVE" {
            refusal = .mechanismNotAllowed(mechanism)
        } else if credentials.count != 1 || credentials.first?.count != CurveKeyPair.keyLength {
            refusal = .malformedRequest
        } else if let key = credentials.first {
            clientKey = CurveKeyPair.z85(key)
            if requestDomain != domain {
                refusal = .wrongDomain(requestDomain)
            } else {
                refusal = allowedKeys.contains(key) ? nil : .unknownKey
            }
        } else {
            refusal = .malformedRequest
        }
        let decision = Decision(address: address, mechanism: mechanism, clientKey: clientKey, refusal: refusal)
        if let refusal {
            return (reply(refusal == .malformedRequest ? "500" : "400", refusal.description, userId: ""), decision)
        }
        return (reply("200", "OK", userId: clientKey ?? ""), decision)
    }
}
