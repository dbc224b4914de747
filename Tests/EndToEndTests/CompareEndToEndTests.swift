import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `fedsim compare` end to end: the smoke matrix (real multi-process cells), a failing cell
/// that does not stop the others, the terminal table and the report; and resuming a killed
/// comparison runs only the unfinished cells.
final class CompareEndToEndTests: EndToEndTestCase {
    private final class XMLCheck: NSObject, XMLParserDelegate {
        var charts: [String] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if attributes["class"]?.contains("accuracy-per-round") == true { charts.append(attributes["data-attack"] ?? "") }
        }
    }

    func testSmokeComparisonWritesCSVTableAndReport() throws {
        let spec = FedsimHarness.repository + "/scenarios/compare/smoke.yaml"
        let (code, out) = try harness.run(["compare", spec, "--output", harness.path("cmp"), "--progress", "plain"],
                                          log: "cmp.log", timeout: 400)
        XCTAssertEqual(code, 0, out)
        let rows = harness.csv("cmp/compare.csv")
        XCTAssertEqual(rows.count, 6)
        XCTAssertEqual(Set(rows.map { "\($0["attack"] ?? "")/\($0["defense"] ?? "")" }),
                       ["none/fedavg", "none/median", "none/bulyan", "sign-flip/fedavg", "sign-flip/median", "sign-flip/bulyan"])
        let failed = rows.filter { $0["status"] == "failed" }
        XCTAssertEqual(failed.map { $0["defense"] }, ["bulyan", "bulyan"])
        XCTAssertTrue(failed.allSatisfy { ($0["error"] ?? "").contains("bulyan needs n >= 4f + 3") }, "\(failed)")
        XCTAssertTrue(rows.filter { $0["status"] == "completed" }.allSatisfy { Double($0["final_accuracy"] ?? "") != nil })
        let flip = rows.first { $0["attack"] == "sign-flip" && $0["defense"] == "fedavg" }
        let median = rows.first { $0["attack"] == "sign-flip" && $0["defense"] == "median" }
        XCTAssertGreaterThan(Double(median?["final_accuracy"] ?? "") ?? 0, Double(flip?["final_accuracy"] ?? "") ?? 1)

        // The terminal table: attacks as rows, defenses as columns.
        for word in ["fedavg", "median", "bulyan", "sign-flip", "none"] { XCTAssertTrue(out.contains(word), word) }

        // report.html: parses, one accuracy chart per attack.
        let html = try XCTUnwrap(FileManager.default.contents(atPath: harness.path("cmp/report.html")))
        let parser = XMLParser(data: html)
        let check = XMLCheck()
        parser.delegate = check
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        XCTAssertEqual(Set(check.charts), ["none", "sign-flip"])
        XCTAssertEqual(check.charts.count, 2)
    }

    func testKilledComparisonResumesWithOnlyUnfinishedCells() throws {
        let spec = harness.path("resume.yaml")
        try """
            name: resume
            base: \(FedsimHarness.repository)/scenarios/quickstart.yaml
            attacks: [none]
            defenses: [fedavg, median, trimmed-mean]
            overrides: {federation: {clients: 4, rounds: 6, local_epochs: 3}}
            parallel: 1
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        // The test hook stops the comparison right after its first finished cell is in
        // compare.csv, before the next one starts: the kill lands exactly there.
        let first = try harness.start(["compare", spec, "--output", harness.path("res"), "--progress", "plain"],
                                      log: "first.log", environment: ["FEDSIM_TEST_STOP_AFTER_CELLS": "1"])
        XCTAssertTrue(harness.waitUntilStopped(first, timeout: 200), harness.text("first.log"))
        let summary = harness.path("res/cells/none--fedavg--seed1/summary.json")
        XCTAssertTrue(harness.text("res/cells/none--fedavg--seed1/summary.json").contains("\"completed\""),
                      harness.text("first.log"))
        kill(first.pid, SIGKILL)
        XCTAssertEqual(harness.wait(first, timeout: 10), 128 + SIGKILL)
        XCTAssertEqual(harness.waitForNoProcesses(timeout: 20), [])
        let before = try FileManager.default.attributesOfItem(atPath: summary)[.modificationDate] as? Date

        let (code, out) = try harness.run(["compare", spec, "--output", harness.path("res"), "--progress", "plain"],
                                          log: "second.log", timeout: 400)
        XCTAssertEqual(code, 0, out)
        XCTAssertTrue(out.contains("3 cells: 1 already complete, 2 to run"), out)
        XCTAssertFalse(out.contains("cell 1/3 none--fedavg"), "the finished cell ran again: \(out)")
        let after = try FileManager.default.attributesOfItem(atPath: summary)[.modificationDate] as? Date
        XCTAssertEqual(before, after)
        XCTAssertEqual(harness.csv("res/compare.csv").filter { $0["status"] == "completed" }.count, 3)
    }

    /// Ctrl-C during a comparison: the remaining cells are pending, the command says how to
    /// resume, and `fedsim report` reports what finished (it used to refuse "pending").
    func testInterruptedComparisonSaysHowToResumeAndReports() throws {
        let spec = harness.path("stop.yaml")
        try """
            name: stop
            base: \(FedsimHarness.repository)/scenarios/quickstart.yaml
            attacks: [none]
            defenses: [fedavg, median, trimmed-mean]
            overrides: {federation: {clients: 4, rounds: 3, local_epochs: 1}}
            parallel: 1
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        let first = try harness.start(["compare", spec, "--output", harness.path("stop"), "--progress", "plain"],
                                      log: "stop.log", environment: ["FEDSIM_TEST_STOP_AFTER_CELLS": "1"])
        XCTAssertTrue(harness.waitUntilStopped(first, timeout: 200), harness.text("stop.log"))
        kill(first.pid, SIGINT)   // delivered when it continues, as a Ctrl-C right after the first cell
        kill(first.pid, SIGCONT)
        XCTAssertEqual(harness.wait(first, timeout: 60), 130, harness.text("stop.log"))
        XCTAssertEqual(harness.waitForNoProcesses(timeout: 20), [])
        let log = harness.text("stop.log")
        XCTAssertTrue(log.contains("1 of 3 cells finished and kept in"), log)
        XCTAssertTrue(log.contains("to resume, rerun the same command"), log)
        XCTAssertEqual(harness.csv("stop/compare.csv").map { $0["status"] ?? "" }, ["completed", "pending", "pending"])

        let (code, out) = try harness.run(["report", harness.path("stop")], log: "report.log", timeout: 60)
        XCTAssertEqual(code, 0, out)
        XCTAssertTrue(out.contains("pending"), out)
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.path("stop/report.html")))
    }

    /// `--quiet` prints nothing on success, but writes compare.csv and report.html as ever.
    func testQuietComparisonStillWritesItsReport() throws {
        let spec = harness.path("quiet.yaml")
        try """
            name: quiet
            base: \(FedsimHarness.repository)/scenarios/quickstart.yaml
            attacks: [none]
            defenses: [fedavg]
            overrides: {federation: {clients: 3, processes: 1, rounds: 2, local_epochs: 1}}
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        let (code, out) = try harness.run(["compare", spec, "--output", harness.path("quiet"), "--quiet"],
                                          log: "quiet.log", timeout: 300)
        XCTAssertEqual(code, 0, out)
        XCTAssertEqual(out, "", "--quiet prints nothing on success")
        XCTAssertEqual(harness.csv("quiet/compare.csv").map { $0["status"] }, ["completed"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: harness.path("quiet/report.html")))
    }

    /// A comparison packs each cell's clients into one client process by default; the cells'
    /// models are the bytes the scenario's own processes give (`processes: scenario`), with the
    /// adversary hub's colluding attack too.
    func testPackedCellsGiveTheSameModels() throws {
        func write(_ name: String, processes: String) throws -> String {
            let spec = harness.path("\(name).yaml")
            try """
                name: \(name)
                base: \(FedsimHarness.repository)/scenarios/quickstart.yaml
                attacks: [none, alie]
                defenses: [median]
                malicious: 1
                overrides: {federation: {clients: 6, processes: 3, rounds: 3, local_epochs: 2}}
                parallel: 1
                \(processes)
                """.write(toFile: spec, atomically: true, encoding: .utf8)
            return spec
        }
        for (name, processes) in [("packed", ""), ("spread", "processes: scenario")] {
            let (code, out) = try harness.run(["compare", try write(name, processes: processes), "--output", harness.path(name),
                                               "--progress", "plain"], log: "\(name).log", timeout: 400)
            XCTAssertEqual(code, 0, out)
        }
        for cell in ["none--median--seed1", "alie--median--seed1"] {
            let packed = try XCTUnwrap(FileManager.default.contents(atPath: harness.path("packed/cells/\(cell)/model.bin")))
            let spread = try XCTUnwrap(FileManager.default.contents(atPath: harness.path("spread/cells/\(cell)/model.bin")))
            XCTAssertEqual(packed, spread, cell)
            func processes(_ run: String) throws -> Int? {
                let data = try XCTUnwrap(FileManager.default.contents(atPath: harness.path("\(run)/cells/\(cell)/summary.json")))
                return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["processes"] as? Int
            }
            XCTAssertEqual(try processes("packed"), 1, cell)
            XCTAssertEqual(try processes("spread"), 3, cell)
        }
    }

    /// A cell gives the same model.bin whichever path runs it: inside the compare process
    /// (`isolation: thread`, the default) or as `fedsim run` with client processes
    /// (`isolation: process`); with the adversary hub (ALIE) and a data attack (backdoor) too,
    /// and with the clients spread over 2 processes (threads). Only the process path leaves
    /// client process logs.
    func testCellsGiveTheSameModelsInThisProcessAndAsProcesses() throws {
        func write(_ name: String, isolation: String) throws -> String {
            let spec = harness.path("\(name).yaml")
            try """
                name: \(name)
                base: \(FedsimHarness.repository)/scenarios/quickstart.yaml
                attacks: [none, alie, backdoor]
                defenses: [median]
                malicious: 1
                overrides: {federation: {clients: 6, processes: 2, rounds: 3, local_epochs: 2}}
                processes: scenario
                parallel: 2
                isolation: \(isolation)
                """.write(toFile: spec, atomically: true, encoding: .utf8)
            return spec
        }
        for (name, isolation) in [("threads", "thread"), ("processes", "process")] {
            let (code, out) = try harness.run(["compare", try write(name, isolation: isolation), "--output", harness.path(name),
                                               "--progress", "plain"], log: "\(name).log", timeout: 400)
            XCTAssertEqual(code, 0, out)
        }
        for cell in ["none--median--seed1", "alie--median--seed1", "backdoor--median--seed1"] {
            let threads = try XCTUnwrap(FileManager.default.contents(atPath: harness.path("threads/cells/\(cell)/model.bin")))
            let processes = try XCTUnwrap(FileManager.default.contents(atPath: harness.path("processes/cells/\(cell)/model.bin")))
            XCTAssertEqual(threads, processes, cell)
            XCTAssertEqual(harness.csv("threads/cells/\(cell)/rounds.csv").map { $0["test_accuracy"] ?? "" },
                           harness.csv("processes/cells/\(cell)/rounds.csv").map { $0["test_accuracy"] ?? "" }, cell)
            let logs = { (run: String) in
                (try? FileManager.default.contentsOfDirectory(atPath: self.harness.path("\(run)/cells/\(cell)/logs"))) ?? []
            }
            XCTAssertEqual(logs("threads"), [], cell)
            XCTAssertTrue(logs("processes").contains("process-1.log"), "\(cell): \(logs("processes"))")
        }
        let rows = harness.csv("threads/compare.csv")
        XCTAssertEqual(rows.map { $0["status"] ?? "" }, ["completed", "completed", "completed"])
    }
}
