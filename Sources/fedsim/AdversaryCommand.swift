import ArgumentParser
import FedSim
import Foundation

struct AdversaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adversary",
        abstract: "Run the adversary hub that colluding malicious clients connect to (started by `fedsim run` when needed).")

    @Option(help: "Scenario file (YAML); the same one the coordinator and clients loaded.")
    var scenario: String

    @Option(help: "Endpoint to bind for the malicious clients, e.g. tcp://0.0.0.0:5600.")
    var bind: String

    @Option(help: "Endpoint to bind for the coordinator's tap (omniscient attacks only; simulation only).")
    var tap: String?

    @Option(help: ArgumentHelp("Write the bound endpoints to this file when ready.", visibility: .hidden))
    var readyFile: String?

    @OptionGroup var child: ChildOptions

    func run() throws {
        let logger = child.start("fedsim.adversary")
        do {
            let s = try Scenario.load(path: scenario, overrides: child.common.overrides)
            let hub = try AdversaryHub.make(scenario: s, bind: bind, tapBind: tap, logger: logger)
            defer { hub.close() }
            let tapNote = hub.tapEndpoint.map { "; tap on \($0)" } ?? ""
            logger.info("adversary hub listening on \(hub.endpoint)\(tapNote)")
            if let readyFile {
                let text = hub.endpoint + "\n" + (hub.tapEndpoint.map { $0 + "\n" } ?? "")
                try text.write(toFile: readyFile + ".tmp", atomically: false, encoding: .utf8)
                try FileManager.default.moveItem(atPath: readyFile + ".tmp", toPath: readyFile)
            }
            try hub.run(parentPid: child.parentPid)
        } catch {
            throw fail(error)
        }
    }
}
