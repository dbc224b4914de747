import XCTest

/// Asserts that `actual` and `expected` have the same length and that every pair differs by
/// at most `accuracy`, |actualᵢ − expectedᵢ| ≤ accuracy, computed in Double (exact for two
/// Floats). Either side may hold Float or Double values; a literal array is Double.
public func assertClose<Actual: BinaryFloatingPoint, Expected: BinaryFloatingPoint>(
    _ actual: [Actual], _ expected: [Expected], accuracy: Double, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "count: \(message())", file: file, line: line)
    for (i, (x, y)) in zip(actual, expected).enumerated() {
        XCTAssertEqual(Double(x), Double(y), accuracy: accuracy, "[\(i)] of \(actual) vs \(expected) \(message())",
                       file: file, line: line)
    }
}

/// The description of the error `body` throws; fails the test (and returns "") when it
/// throws none.
public func thrownMessage(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String {
    do { try body() } catch { return "\(error)" }
    XCTFail("expected an error", file: file, line: line)
    return ""
}
