import FedSim
import Foundation

/// Prints the comparison's table and writes its report (temporary plain table until the
/// report module lands).
func finishComparison(folder: String, results: [CellResult]) throws {
    for r in results {
        print("\(r.cell.id): \(r.status) \(r.finalAccuracy.map { String(format: "%.4f", $0) } ?? "-") \(r.error ?? "")")
    }
    print("results in \(folder)/")
}
