#if canImport(Glibc)
import Glibc
#endif
import FedReport
import FedSim
import Foundation

/// Prints a comparison's tables (attacks × defenses, then the worst-case ranking) and writes
/// its report.html; shared by `fedsim compare` and `fedsim report`.
func printComparison(folder: String) throws {
    let results = try ComparisonResults.load(directory: folder)
    let table = ComparisonTable(results)
    let bold = Terminal.allowsStyle(STDOUT_FILENO)
    print(table.terminal(bold: bold))
    let path = try ReportWriter.write(results)
    print("report: \(path)")
}
