/// How the coordinator and client processes reach each other.
public enum TransportKind: String, CaseIterable, Sendable, Equatable {
    /// Unix-domain sockets in a short temporary folder (one machine).
    case ipc
    /// TCP on `host:port` (one or several machines).
    case tcp
}

/// The `transport:` section.
public struct TransportConfig: Sendable, Equatable {
    public var kind: TransportKind
    /// Host the coordinator binds and clients connect to (tcp only).
    public var host: String
    /// TCP port, 0...65535; 0 asks the system for a free (ephemeral) port.
    public var port: Int

    public init(kind: TransportKind = .ipc, host: String = "127.0.0.1", port: Int = 0) {
        self.kind = kind
        self.host = host
        self.port = port
    }
}

extension TransportConfig: ScenarioSection {
    static let key = "transport"

    init(reading reader: ScenarioReader) throws {
        self.init(
            kind: try reader.choice("kind", default: .ipc),
            host: try reader.string("host", default: "127.0.0.1"),
            port: try reader.int("port", default: 0, range: Interval(0...65_535)))
    }

    var resolvedFields: [(String, ResolvedValue)] {
        [("kind", .choice(kind)), ("host", .string(host)), ("port", .int(port))]
    }
}
