import ArgumentParser
import FedReport
import FedSim
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild report.html of a run or comparison folder from its CSV files (no rerun).",
        discussion: "For a comparison folder also prints the accuracy table and the worst-case ranking.")

    @Argument(help: "A run folder (rounds.csv) or a comparison folder (compare.csv).")
    var folder: String

    @Flag(help: "Print the comparison tables as Markdown instead of aligned text.")
    var markdown = false

    func run() throws {
        let path: String
        var table: ComparisonTable?
        do {
            switch try ReportWriter.kind(of: folder) {
            case .comparison:
                let results = try ComparisonResults.load(directory: folder)
                table = ComparisonTable(results)
                path = try ReportWriter.write(results)
            case .run:
                path = try ReportWriter.write(RunReportData.load(directory: folder))
            }
        } catch {
            throw fail(error)
        }
        if let table {
            let bold = Terminal.allowsStyle(STDOUT_FILENO)
            print(markdown ? table.markdown() : table.terminal(bold: bold))
        }
        print("report: \(path)")
    }
}

/// Writes report.html into a run folder: the hook `fedsim run` and `fedsim coordinator` give
/// the launcher, called once summary.json is written.
@Sendable func writeRunReport(_ runFolder: String) throws {
    try ReportWriter.write(RunReportData.load(directory: runFolder))
}
