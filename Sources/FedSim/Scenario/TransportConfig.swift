import FedCore
/// How the coordinator and client processes reach each other.
public enum TransportKind: String, CaseIterable, Sendable, Equatable {
    /// Unix-domain sockets in a short temporary folder (one machine).
    case ipc
    /// TCP on `host:port` (one or several machines).
    case tcp
}

/// Whether connections are encrypted and authenticated.
public enum TransportSecurity: String, CaseIterable, Sendable, Equatable {
    /// Plain text (one machine, or a trusted network).
    case none
    /// CurveZMQ: every connection encrypted, the coordinator authenticated by its key, clients
    /// admitted by a public-key allowlist that binds each key to its logical client ids.
    case curve
}

/// The `transport:` section.
public struct TransportConfig: Sendable, Equatable {
    public var kind: TransportKind
    /// Host the coordinator binds and clients connect to (tcp only).
    public var host: String
    /// TCP port, 0...65535; 0 asks the system for a free (ephemeral) port.
    public var port: Int
    public var security: TransportSecurity
    /// The coordinator's secret key file (Z85; coordinator side). With `curve` and no key
    /// files at all, `fedsim run` makes throwaway keys for the run.
    public var serverSecret: String?
    /// The coordinator's public key file (clients use it to authenticate the coordinator).
    public var serverKey: String?
    /// The allowlist: one line per client key, `<Z85 public key> <client ids>` (coordinator side).
    public var allowedClients: String?

    public init(kind: TransportKind = .ipc, host: String = "127.0.0.1", port: Int = 0,
                security: TransportSecurity = .none, serverSecret: String? = nil, serverKey: String? = nil,
                allowedClients: String? = nil) {
        self.kind = kind
        self.host = host
        self.port = port
        self.security = security
        self.serverSecret = serverSecret
        self.serverKey = serverKey
        self.allowedClients = allowedClients
    }

    /// True when `curve` is asked for without any key file: the launcher makes throwaway keys.
    public var wantsThrowawayKeys: Bool {
        security == .curve && serverSecret == nil && serverKey == nil && allowedClients == nil
    }
}

extension TransportConfig: ScenarioSection {
    static let key = "transport"

    init(reading reader: ScenarioReader) throws {
        self.init(
            kind: try reader.choice("kind", default: .ipc),
            host: try reader.string("host", default: "127.0.0.1"),
            port: try reader.int("port", default: 0, range: Interval(0...65_535)),
            security: try reader.choice("security", default: .none),
            serverSecret: try reader.path("server_secret"),
            serverKey: try reader.path("server_key"),
            allowedClients: try reader.path("allowed_clients"))
        if security == .none, let key = ["server_secret", "server_key", "allowed_clients"].first(where: { reader.value($0) != nil }) {
            throw reader.error(key, "key files need security: curve")
        }
    }

    var resolvedFields: [(String, ResolvedValue)] {
        [("kind", .choice(kind)), ("host", .string(host)), ("port", .int(port)), ("security", .choice(security)),
         ("server_secret", .string(serverSecret)), ("server_key", .string(serverKey)),
         ("allowed_clients", .string(allowedClients))]
    }
}
