import FedWire
import Foundation

/// The coordinator's CurveZMQ material: its key pair and the allowlist binding client keys to
/// logical client ids.
public struct ServerCurve: Sendable {
    public var keys: CurveKeyPair
    public var allowlist: CurveAllowlist
}

/// A client process's CurveZMQ material: its key pair and the coordinator's public key.
public struct ClientCurve: Sendable {
    public var keys: CurveKeyPair
    public var serverKey: [UInt8]

    public static func load(keyFile: String, serverKeyFile: String) throws -> ClientCurve {
        ClientCurve(keys: try CurveKeyPair.load(secretFile: keyFile), serverKey: try CurveKeyPair.loadPublic(file: serverKeyFile))
    }
}

public enum CurveSetupError: Error, CustomStringConvertible {
    case missing(String)
    public var description: String {
        switch self {
        case let .missing(what): return what
        }
    }
}

extension ServerCurve {
    /// The coordinator side of `transport`, from its key files; nil without `security: curve`.
    public static func load(_ t: TransportConfig) throws -> ServerCurve? {
        guard t.security == .curve else { return nil }
        guard let secret = t.serverSecret, let allowed = t.allowedClients else {
            throw CurveSetupError.missing("transport.security curve on the coordinator needs transport.server_secret and transport.allowed_clients (fedsim keygen writes both; docs/DEPLOY.md)")
        }
        return ServerCurve(keys: try CurveKeyPair.load(secretFile: secret), allowlist: try CurveAllowlist.load(file: allowed))
    }

    /// The keys of a local run's plan: throwaway ones (`throwaway(directory:groups:)`) when
    /// the run uses CurveZMQ, else none (nil and no client keys).
    static func forLocalRun(_ launch: LaunchPlan, directory: String) throws -> (ServerCurve?, [(key: String, serverKey: String)]) {
        guard launch.throwawayKeys else { return (nil, []) }
        let (curve, keys) = try throwaway(directory: directory, groups: launch.processes)
        return (curve, keys)
    }

    /// Throwaway keys for a local run (`security: curve` without key files): a coordinator key
    /// pair, one pair per client process bound to its ids, written into `directory`. Returns
    /// the server side and, per process, the paths of its secret key and of the server's public key.
    static func throwaway(directory: String, groups: [[Int]]) throws -> (ServerCurve, [(key: String, serverKey: String)]) {
        let server = try CurveKeyPair.generate()
        let serverPublic = directory + "/coordinator.pub"
        try server.write(secretFile: directory + "/coordinator.key", publicFile: serverPublic)
        var entries: [CurveAllowlist.Entry] = []
        var files: [(String, String)] = []
        for (k, ids) in groups.enumerated() {
            let pair = try CurveKeyPair.generate()
            let secret = directory + "/client-\(k).key"
            try pair.write(secretFile: secret, publicFile: directory + "/client-\(k).pub")
            entries.append(try CurveAllowlist.Entry(publicKey: pair.publicKey, clientIds: ids.map(UInt32.init)))
            files.append((secret, serverPublic))
        }
        return (ServerCurve(keys: server, allowlist: try CurveAllowlist(entries)), files)
    }
}
