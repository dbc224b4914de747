/// What `fedsim run` starts for a scenario, decided before anything is started: how the
/// logical clients are split over client processes, where each side binds, whether the
/// adversary hub and its tap are needed, and the command line of each child. A pure value
/// (`Launcher.run` starts what it says), so each decision is tested without a process.
public struct LaunchPlan: Equatable, Sendable {
    /// The logical client ids of each client process: `federation.processes` contiguous
    /// groups of near-equal size (`ClientIdList.groups`).
    public var processes: [[Int]]
    /// Where the coordinator binds.
    public var coordinatorEndpoint: String
    /// Where the adversary hub binds, when some attack group colludes (needs the hub).
    public var hubEndpoint: String?
    /// Where the hub binds the coordinator's tap, when some colluding group is omniscient.
    public var tapEndpoint: String?
    /// True with `transport.security: curve` and no key files: the run makes throwaway keys
    /// (one pair for the coordinator, one per client process).
    public var throwawayKeys: Bool

    /// The plan of `scenario`, with ipc:// sockets in `runtimeDirectory` (keep it short: a
    /// socket path holds at most about 107 bytes).
    ///
    /// - Throws: `CurveSetupError` for `security: curve` with key files: those federations
    ///   span machines and are started with `fedsim coordinator` and `fedsim client`.
    public init(scenario: Scenario, runtimeDirectory: String) throws {
        let t = scenario.transport
        if t.security == .curve && !t.wantsThrowawayKeys {
            throw CurveSetupError.missing("fedsim run makes throwaway keys for transport.security curve; with key files, start `fedsim coordinator` and `fedsim client` yourself (docs/DEPLOY.md)")
        }
        let plan = AttackPlan(scenario)
        processes = ClientIdList.groups(clients: scenario.federation.clients, processes: scenario.federation.processes)
        coordinatorEndpoint = Self.endpoint("coordinator", transport: t, runtimeDirectory: runtimeDirectory)
        hubEndpoint = plan.needsHub ? Self.endpoint("hub", transport: t, runtimeDirectory: runtimeDirectory) : nil
        tapEndpoint = plan.needsHub && plan.needsTap ? Self.endpoint("tap", transport: t, runtimeDirectory: runtimeDirectory) : nil
        throwawayKeys = t.security == .curve
    }

    /// The endpoint a local run binds for `name` ("coordinator", "hub", "tap"):
    /// `ipc://<runtimeDirectory>/<name>`, or for tcp `tcp://<host>:<port>` where only the
    /// coordinator takes `transport.port` (when not 0) and everything else a free port (`*`).
    public static func endpoint(_ name: String, transport t: TransportConfig, runtimeDirectory: String) -> String {
        switch t.kind {
        case .ipc:
            return "ipc://\(runtimeDirectory)/\(name)"
        case .tcp:
            let port = name == "coordinator" && t.port != 0 ? String(t.port) : "*"
            return "tcp://\(t.host):\(port)"
        }
    }

    /// The adversary hub's command line (after the executable), or nil without a hub. It
    /// writes its bound endpoints to `readyFile` and ends with its parent `parentPid`.
    public func hubArguments(scenarioFile: String, readyFile: String, parentPid: Int32) -> [String]? {
        guard let hubEndpoint else { return nil }
        var args = ["adversary", "--scenario", scenarioFile, "--bind", hubEndpoint,
                    "--ready-file", readyFile, "--parent-pid", String(parentPid)]
        if let tapEndpoint { args += ["--tap", tapEndpoint] }
        return args
    }

    /// Client process `k`'s shard file in `runtimeDirectory`: its clients' local datasets,
    /// written by the launcher (`ShardFile`).
    public static func shardFile(process k: Int, runtimeDirectory: String) -> String {
        "\(runtimeDirectory)/shard-\(k).bin"
    }

    /// Client process `k`'s command line: its ids, the coordinator's bound endpoint, the
    /// hub's (when there is one), its CURVE key files (with throwaway keys) and its shard file.
    public func clientArguments(process k: Int, scenarioFile: String, coordinator: String, hub: String?,
                                keys: (key: String, serverKey: String)?, parentPid: Int32,
                                shardFile: String? = nil) -> [String] {
        var args = ["client", "--scenario", scenarioFile, "--connect", coordinator,
                    "--clients", ClientIdList.format(processes[k]), "--parent-pid", String(parentPid)]
        if let shardFile { args += ["--shard", shardFile] }
        if let hub { args += ["--hub", hub] }
        if let keys { args += ["--key", keys.key, "--server-key", keys.serverKey] }
        return args
    }
}
