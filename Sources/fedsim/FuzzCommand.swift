import ArgumentParser
import FedFuzz
import FedSim
import Foundation

struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Fire hostile messages at a running coordinator (robustness testing; see docs/PROTOCOL.md, Hostile input).")

    @Option(help: "Coordinator endpoint, e.g. tcp://127.0.0.1:5555.")
    var connect: String

    @Option(help: "Scenario file (YAML) the coordinator runs: gives the fingerprint, model size and client count.")
    var scenario: String

    @Option(help: "Messages to send.")
    var count: Int = 10_000

    @Option(help: "Seed of the message sequence.")
    var seed: UInt64 = 1

    @Option(help: "Messages per second (0 = as fast as the sockets take them).")
    var rate: Double = 0

    @Option(help: "DEALER sockets to send from (socket 0 also sends the HELLOs).")
    var sockets: Int = 3

    @Option(help: "Stop after this many seconds even if fewer messages were sent.")
    var timeLimit: Double = 300

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be >= 0; got \(count)") }
        guard rate >= 0 else { throw ValidationError("--rate must be >= 0; got \(rate)") }
        guard (1...64).contains(sockets) else { throw ValidationError("--sockets must be 1...64; got \(sockets)") }
        guard timeLimit > 0 else { throw ValidationError("--time-limit must be > 0; got \(timeLimit)") }
    }

    func run() throws {
        let logger = makeLogger("fedsim.fuzz", level: common.level)
        SignalTrap.install()
        do {
            let s = try Scenario.load(path: scenario, overrides: common.overrides)
            let data = try FederationData.prepare(s)
            let target = FuzzTarget(fingerprint: s.fingerprint, parameterCount: data.model.parameterCount,
                                    clients: s.federation.clients)
            var options = FuzzRunner.Options(endpoint: connect, count: count, seed: seed, rate: rate, sockets: sockets,
                                             timeLimit: timeLimit)
            options.interrupted = { SignalTrap.interrupted }
            let runner = FuzzRunner(target: target, options: options, logger: logger)
            let report = try runner.run()
            print(report.summaryLine)
        } catch {
            throw fail(error)
        }
    }
}
