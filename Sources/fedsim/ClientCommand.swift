import ArgumentParser
import FedCore
import FedSim
import Foundation

struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Run one client process hosting one or more logical clients.")

    @Option(help: "Scenario file (YAML); the same one the coordinator loaded.")
    var scenario: String

    @Option(help: "Coordinator endpoint, e.g. tcp://10.0.0.5:5555 or ipc:///tmp/fedsim.sock.")
    var connect: String

    @Option(help: "Logical client ids this process hosts, e.g. 0-4,7.")
    var clients: String

    @Option(help: "Adversary hub endpoint, for processes hosting colluding malicious clients.")
    var hub: String?

    @Option(help: "This client's CURVE secret key file (fedsim keygen), for transport.security curve.")
    var key: String?

    @Option(help: "The coordinator's CURVE public key file (default: transport.server_key of the scenario).")
    var serverKey: String?

    @Option(help: "This process's shard file (written by fedsim run): its clients' data, so that the whole dataset is not loaded. Without it the process prepares the data itself.")
    var shard: String?

    @OptionGroup var child: ChildOptions

    func run() throws {
        let logger = child.start("fedsim.client[\(clients)]")
        do {
            let ids = try ClientIdList.parse(clients)
            let s = try Scenario.load(path: scenario, overrides: child.common.overrides)
            // Many client processes share the cores: one OpenBLAS thread each (DESIGN.md).
            setBLASThreads(1)
            let runtime: ClientRuntime
            if let shard {
                let data = try ClientData(shardFile: shard, scenario: s, clientIds: ids)
                logger.info("read \(data.local.values.reduce(0) { $0 + $1.count }) samples of clients \(clients) from \(shard)")
                runtime = try ClientRuntime(scenario: s, data: data, clientIds: ids, parentPid: child.parentPid, logger: logger)
            } else {
                runtime = try ClientRuntime(scenario: s, clientIds: ids, parentPid: child.parentPid, logger: logger)
                logger.info("prepared the whole dataset here (no --shard) and kept clients \(clients)")
            }
            var curve: ClientCurve?
            if s.transport.security == .curve {
                guard let key, let serverKey = serverKey ?? s.transport.serverKey else {
                    throw CurveSetupError.missing("transport.security curve: give this client's key with --key and the coordinator's public key with --server-key (or transport.server_key)")
                }
                curve = try ClientCurve.load(keyFile: key, serverKeyFile: serverKey)
            }
            try runtime.run(endpoint: connect, hubEndpoint: hub, curve: curve)
        } catch {
            throw fail(error)
        }
    }
}
