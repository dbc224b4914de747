import FedWire

/// The server sockets fedsim binds. A role fixes the socket's settings (see `ZMQNetwork`),
/// and its message-size limit comes from `MessageSizeLimit`, the one place that computes it.
public enum ServerRole: Sendable {
    /// The coordinator's ROUTER: HELLOs and UPDATEs from every client process; a CURVE
    /// server with the allowlist when `curve` is given.
    /// At most `maxPeers` connections are held at once (`transport.max_peers`); `states`: worker
    /// state frames an UPDATE may carry (0 or 1).
    case coordinator(parameters: Int, clients: Int, curve: ServerCurve?, maxPeers: Int = TransportConfig.defaultMaxPeers,
                     states: Int = 0)
    /// The adversary hub's ROUTER, for the colluding clients' HELLOs and honest UPDATEs.
    case hub(parameters: Int, clients: Int)

    /// The role's name, for logs and tests ("coordinator", "hub").
    public var name: String {
        switch self {
        case .coordinator: return "coordinator"
        case .hub: return "hub"
        }
    }

    /// `ZMQ_MAXMSGSIZE` in bytes: `MessageSizeLimit.forUpdates` for both.
    public var maxMessageSize: Int64? {
        switch self {
        case let .coordinator(d, n, _, _, states): return MessageSizeLimit.forUpdates(parameters: d, clients: n, states: states)
        case let .hub(d, n): return MessageSizeLimit.forUpdates(parameters: d, clients: n)
        }
    }
}

/// The client-side sockets fedsim opens.
public enum ClientRole: Sendable {
    /// A client process's DEALER to the coordinator (TASKs in, UPDATEs out); a CURVE client
    /// when `curve` is given.
    /// `states`: worker state frames a TASK may carry (the clients the process hosts, or 0).
    case client(parameters: Int, clients: Int, curve: ClientCurve?, states: Int = 0)
    /// A client process's DEALER to the adversary hub.
    case hubClient
    /// An extra DEALER to the coordinator, opened by a sybil attacker for each fake identity.
    case sybil
    /// The coordinator's end of the simulation-only tap to the hub (PUSH; connects, sends).
    case tapSender
    /// The adversary hub's end of the tap (PULL; binds, receives the forwarded UPDATEs).
    /// `states`: worker state frames a forwarded UPDATE may carry (0 or 1).
    case tapReceiver(parameters: Int, states: Int = 0)

    /// The role's name, for logs and tests ("client", "hubClient", "sybil", "tapSender", "tapReceiver").
    public var name: String {
        switch self {
        case .client: return "client"
        case .hubClient: return "hubClient"
        case .sybil: return "sybil"
        case .tapSender: return "tapSender"
        case .tapReceiver: return "tapReceiver"
        }
    }

    /// `ZMQ_MAXMSGSIZE` in bytes, or nil for libzmq's default (no limit).
    public var maxMessageSize: Int64? {
        switch self {
        case let .client(d, n, _, states): return MessageSizeLimit.forClients(parameters: d, clients: n, states: states)
        case let .tapReceiver(d, states): return MessageSizeLimit.forUpdates(parameters: d, clients: 0, states: states)
        case .hubClient, .sybil, .tapSender: return nil
        }
    }

    /// True for the one role that binds rather than connects (the hub's end of the tap).
    public var binds: Bool {
        if case .tapReceiver = self { return true }
        return false
    }
}
