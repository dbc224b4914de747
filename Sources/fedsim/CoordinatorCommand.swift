import ArgumentParser
import FedCore
import FedResults
import FedSim
import Foundation

struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run only the coordinator; start clients yourself with `fedsim client` (on this or other machines).")

    @Option(help: "Scenario file (YAML); clients must load the same scenario.")
    var scenario: String

    @Option(help: "Endpoint to bind, e.g. tcp://0.0.0.0:5555 or ipc:///tmp/fedsim.sock.")
    var bind: String

    @OptionGroup var display: ResultsOptions

    @Flag(help: "Replace a run of another scenario in the results folder (without it, fedsim refuses and changes nothing).")
    var force = false

    @OptionGroup var common: CommonOptions

    @OptionGroup var verbosity: Verbosity

    func run() throws {
        let logger = makeLogger("fedsim.coordinator", level: verbosity.level(common.logLevel))
        SignalTrap.install()
        let summary: RunSummary
        let directory: String
        do {
            let s = try Scenario.load(path: scenario, overrides: common.overrides)
            directory = display.output ?? (s.output + "/" + s.name)
            try RunFolderGuard.check(directory, fingerprint: s.fingerprint, force: force)
            let data = try FederationData.prepare(s, file: scenario, memoryLimit: try MemoryLimit.current(), scope: .coordinator)
            let results = try RunResults(directory: directory, scenario: s,
                                         labelCounts: data.partition.labelCounts(of: data.train), classNames: data.train.classNames)
            // Client processes share the cores: one OpenBLAS thread (DESIGN.md).
            setBLASThreads(1)
            let coordinator = try Coordinator(scenario: s, data: data, endpoint: bind,
                                              curve: try ServerCurve.load(s.transport), logger: logger)
            defer { coordinator.close() }
            let p = ProgressDisplay(style: verbosity.progress(display.progress), totalRounds: s.federation.rounds)
            p.note("coordinator listening on \(coordinator.boundEndpoint); scenario fingerprint 0x\(String(s.fingerprint, radix: 16)); waiting for \(s.federation.clients) clients")
            summary = Launcher.coordinate(coordinator, results: results, processes: 0, progress: p,
                                         writeReport: writeRunReport)
        } catch {
            throw fail(error)
        }
        report(summary, directory: directory, quiet: verbosity.quiet)
    }
}
