#if canImport(Glibc)
import Glibc
#endif
import FedReport
import Foundation

/// Prints a comparison's tables (attacks × defenses, then the worst-case ranking) and writes
/// its report.html; shared by `fedsim compare` and `fedsim report`.
func printComparison(folder: String) throws {
    let results = try ComparisonResults.load(directory: folder)
    let table = ComparisonTable(results)
    let bold = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    print(table.terminal(bold: bold))
    let path = try ReportWriter.write(results)
    print("report: \(path)")
}
