#if canImport(Glibc)
import Glibc
#endif
import FedReport
import FedSim
import Foundation

/// Writes a comparison's report.html and prints its tables (attacks × defenses, then the
/// worst-case ranking) and the report's path; `quiet` writes the report and prints nothing.
/// Shared by `fedsim compare` and `fedsim report`.
func printComparison(folder: String, quiet: Bool = false) throws {
    let results = try ComparisonResults.load(directory: folder)
    let path = try ReportWriter.write(results)
    guard !quiet else { return }
    let table = ComparisonTable(results)
    let bold = Terminal.allowsStyle(STDOUT_FILENO)
    print(table.terminal(bold: bold))
    print("report: \(path)")
}
