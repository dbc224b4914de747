import ArgumentParser
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

    @OptionGroup var child: ChildOptions

    func run() throws {
        let logger = child.start("fedsim.client[\(clients)]")
        do {
            let ids = try ClientIdList.parse(clients)
            let s = try Scenario.load(path: scenario, overrides: child.common.overrides)
            let runtime = try ClientRuntime(scenario: s, clientIds: ids, parentPid: child.parentPid, logger: logger)
            try runtime.run(endpoint: connect, hubEndpoint: hub)
        } catch {
            throw fail(error)
        }
    }
}
