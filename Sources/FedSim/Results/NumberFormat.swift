import Foundation

/// Formats a number for CSV/JSON: fixed significant digits, "nan"-free (empty when not finite).
func fmt(_ x: Double, _ digits: Int = 6) -> String {
    guard x.isFinite else { return "" }
    return String(format: "%.\(digits)g", x)
}

