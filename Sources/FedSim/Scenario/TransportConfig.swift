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
    /// Most connections the coordinator holds at once (`PeerGuard`); also bounded by the
    /// open-file limit.
    public var maxPeers: Int
    /// Whether the scenario wrote `security:` itself; plain tcp:// beyond loopback needs that.
    public var securityIsExplicit: Bool

    /// Default `max_peers`: room for a thousand client processes.
    public static let defaultMaxPeers = 1024

    public init(kind: TransportKind = .ipc, host: String = "127.0.0.1", port: Int = 0,
                security: TransportSecurity = .none, serverSecret: String? = nil, serverKey: String? = nil,
                allowedClients: String? = nil, maxPeers: Int = TransportConfig.defaultMaxPeers,
                securityIsExplicit: Bool = false) {
        self.maxPeers = maxPeers
        self.securityIsExplicit = securityIsExplicit
        self.kind = kind
        self.host = host
        self.port = port
        self.security = security
        self.serverSecret = serverSecret
        self.serverKey = serverKey
        self.allowedClients = allowedClients
    }

    /// Why binding `endpoint` would expose the federation, or nil: plain `tcp://` on an address
    /// other than loopback lets anyone who reaches the port join as a client, and libzmq bounds
    /// neither their connections' memory nor their number (docs/DEPLOY.md). Allowed only when
    /// the scenario says `security: none` itself.
    public func exposure(binding endpoint: String) -> String? {
        guard security == .none, !securityIsExplicit, endpoint.hasPrefix("tcp://") else { return nil }
        var host = String(endpoint.dropFirst("tcp://".count))
        if host.hasPrefix("[") {
            host = String(host.dropFirst().prefix { $0 != "]" })
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        guard !Self.isLoopback(host) else { return nil }
        return "plain tcp:// on \(host) lets anyone who can reach the port join as a client and hold "
            + "unbounded memory with half-sent messages (nothing is authenticated); use security: curve "
            + "(docs/DEPLOY.md), or write security: none to accept that"
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// True when `curve` is asked for without any key file: the launcher makes throwaway keys.
    public var wantsThrowawayKeys: Bool {
        security == .curve && serverSecret == nil && serverKey == nil && allowedClients == nil
    }
}

extension TransportConfig {
    /// Equal settings; whether `security` was written out is not a setting (the resolved form
    /// always writes it).
    public static func == (a: TransportConfig, b: TransportConfig) -> Bool {
        a.kind == b.kind && a.host == b.host && a.port == b.port && a.security == b.security
            && a.serverSecret == b.serverSecret && a.serverKey == b.serverKey && a.allowedClients == b.allowedClients
            && a.maxPeers == b.maxPeers
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
            allowedClients: try reader.path("allowed_clients"),
            maxPeers: try reader.int("max_peers", default: TransportConfig.defaultMaxPeers, range: Interval(1...1_000_000)),
            securityIsExplicit: reader.value("security") != nil)
        if let problem = exposure(binding: "tcp://\(host):\(port)") {
            throw reader.error(reader.value("host") != nil ? "host" : "security", problem)
        }
        if security == .none, let key = ["server_secret", "server_key", "allowed_clients"].first(where: { reader.value($0) != nil }) {
            throw reader.error(key, "key files need security: curve")
        }
    }

    var resolvedFields: [(String, ResolvedValue)] {
        [("kind", .choice(kind)), ("host", .string(host)), ("port", .int(port)), ("security", .choice(security)),
         ("server_secret", .string(serverSecret)), ("server_key", .string(serverKey)),
         ("allowed_clients", .string(allowedClients)), ("max_peers", .int(maxPeers))]
    }
}
