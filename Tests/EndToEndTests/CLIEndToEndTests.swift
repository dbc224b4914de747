import FedSim
import Foundation
import XCTest

/// The habits of the command line, with the real executable: --version, did-you-mean for
/// commands, runs never overwritten silently, `run --resume` on a finished run, `list`, and
/// the live line on a terminal (a pseudo-terminal from script(1)) against TERM=dumb.
final class CLIEndToEndTests: EndToEndTestCase {
    private let small = ["--set", "federation.clients=2", "--set", "federation.rounds=2"]

    func testVersionIsThePackageVersion() throws {
        let (code, out) = try harness.run(["--version"], log: "version.log", timeout: 60)
        XCTAssertEqual(code, 0)
        XCTAssertEqual(out, FedsimVersion.string + "\n")
        let cli = try String(contentsOfFile: FedsimHarness.repository + "/docs/CLI.md", encoding: .utf8)
        XCTAssertTrue(cli.contains("fedsim --version    # \(FedsimVersion.string)"), "docs/CLI.md names another version")
    }

    func testAMistypedCommandSuggestsTheNearestAndExits64() throws {
        for (typed, expected) in [("rn", "did you mean run?"), ("krun", "did you mean run?"), ("compaer", "did you mean compare?"),
                                  ("qwerty", "commands: run, coordinator,")] {
            let (code, out) = try harness.run([typed, "x.yaml"], log: "\(typed).log", timeout: 60)
            XCTAssertEqual(code, 64, out)
            XCTAssertTrue(out.hasPrefix("fedsim: error: unknown command '\(typed)'; \(expected)"), out)
            XCTAssertEqual(out.split(separator: "\n").count, 1, out)
        }
        let (code, out) = try harness.run(["scenarios/quickstart.yaml"], log: "file.log", timeout: 60)
        XCTAssertEqual(code, 64, out)
        XCTAssertEqual(out, "fedsim: error: unknown command 'scenarios/quickstart.yaml'; to run a scenario: "
                       + "fedsim run scenarios/quickstart.yaml (compare files: fedsim compare)\n")
    }

    func testARunOfAnotherScenarioIsRefusedUntilForced() throws {
        let folder = harness.path("q")
        var (code, out) = try harness.run(["run", quickstart, "--output", folder, "--progress", "none"] + small, log: "a.log")
        XCTAssertEqual(code, 0, out)
        let rounds = harness.text("q/rounds.csv"), model = FileManager.default.contents(atPath: folder + "/model.bin")

        (code, out) = try harness.run(["run", quickstart, "--output", folder, "--progress", "none",
                                       "--set", "partition.kind=dirichlet"] + small, log: "b.log")
        XCTAssertEqual(code, 1, out)
        XCTAssertTrue(out.hasPrefix("fedsim: \(folder): holds a run of another scenario (fingerprint "), out)
        XCTAssertTrue(out.hasSuffix("nothing was changed; pass --force to replace it, or --output \(folder)-2 (or another name) to keep both\n"), out)
        XCTAssertEqual(harness.text("q/rounds.csv"), rounds)
        XCTAssertEqual(FileManager.default.contents(atPath: folder + "/model.bin"), model)

        // The same scenario again replaces it quietly (it reproduces itself); --force replaces another.
        (code, out) = try harness.run(["run", quickstart, "--output", folder, "--quiet"] + small, log: "c.log")
        XCTAssertEqual(code, 0, out)
        XCTAssertEqual(out, "", "--quiet prints nothing on success")
        (code, out) = try harness.run(["run", quickstart, "--output", folder, "--progress", "none", "--force",
                                       "--set", "partition.kind=dirichlet"] + small, log: "d.log")
        XCTAssertEqual(code, 0, out)
        XCTAssertTrue(harness.text("q/scenario.yaml").contains("kind: dirichlet"))
    }

    func testResumingAFinishedRunSaysSoAndStartsNoProcess() throws {
        let folder = harness.path("done")
        var (code, out) = try harness.run(["run", quickstart, "--output", folder, "--progress", "none"] + small, log: "a.log")
        XCTAssertEqual(code, 0, out)
        // Remove the run's process logs: a client process started by --resume would write one again.
        let logs = folder + "/logs"
        for name in try FileManager.default.contentsOfDirectory(atPath: logs) {
            try FileManager.default.removeItem(atPath: logs + "/" + name)
        }
        (code, out) = try harness.run(["run", "--resume", folder], log: "resume.log", timeout: 60)
        XCTAssertEqual(code, 0, out)
        XCTAssertTrue(out.hasPrefix("quickstart: already finished (completed, 2 of 2 rounds): accuracy "), out)
        XCTAssertTrue(out.hasSuffix("; nothing to resume in \(folder)/\n"), out)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: logs), [])
    }

    func testListPrintsEveryRegisteredAttackWithItsParameters() throws {
        let (code, out) = try harness.run(["list", "attacks"], log: "list.log", timeout: 60)
        XCTAssertEqual(code, 0, out)
        for d in Registry.attacks {
            XCTAssertTrue(out.contains("\n\(d.name): "), d.name)
            for p in d.parameters { XCTAssertTrue(out.contains("    \(p.key)=\(p.defaultValue) "), "\(d.name).\(p.key)") }
        }
        let (bad, message) = try harness.run(["list", "atacks"], log: "bad.log", timeout: 60)
        XCTAssertEqual(bad, 64)
        XCTAssertTrue(message.contains("unknown registry 'atacks'; did you mean attacks?"), message)
    }

    /// On a terminal 80 columns wide the live line redraws in place and never reaches the last
    /// column; with TERM=dumb the same run writes plain lines without one escape code.
    func testTheLiveLineFitsATerminalAndTERMDumbGetsPlainLines() throws {
        let script = "/usr/bin/script"
        guard FileManager.default.isExecutableFile(atPath: script) else { throw XCTSkip("script(1) is not installed") }
        let args = ["run", quickstart, "--set", "federation.clients=3", "--set", "federation.rounds=3",
                    "--set", "attack.kind=backdoor", "--set", "attack.malicious=1", "--set", "defense.aggregator=krum"]
        func command(_ folder: String) -> String {
            ([FedsimHarness.binary] + args + ["--output", harness.path(folder)]).map { "'\($0)'" }.joined(separator: " ")
        }
        for (term, live) in [("xterm-256color", true), ("dumb", false)] {
            let p = try harness.start(executable: script, ["-qec", command(term), "/dev/null"], log: "\(term).log",
                                      environment: ["TERM": term, "COLUMNS": "80"])
            XCTAssertEqual(harness.wait(p, timeout: 240), 0, harness.text("\(term).log"))
            let out = harness.text("\(term).log")
            XCTAssertEqual(out.contains("\u{1B}"), live, out)
            if live {
                let redraws = out.components(separatedBy: "\r\u{1B}[K").dropFirst()
                XCTAssertGreaterThanOrEqual(redraws.count, 3, out)
                for r in redraws {
                    let line = r.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""   // "\r\n" is one Character
                    XCTAssertLessThanOrEqual(line.count, 79, line)
                }
                XCTAssertTrue(out.contains("asr "), out)
                XCTAssertTrue(out.contains("kept out 1/1"), out)
            } else {
                XCTAssertTrue(out.contains("round 3/3 accuracy="), out)
                XCTAssertTrue(out.contains(" asr="), out)
            }
            XCTAssertTrue(out.contains(": completed 3 rounds in "), out)
            XCTAssertTrue(out.contains("ASR "), out)
        }
    }
}
