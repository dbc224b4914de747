import XCTest
@testable import FedResults

/// The CSV reader on quoted fields, and reading back what CSVWriter writes.
final class CSVTableTests: XCTestCase {
    func testCSVReaderHandlesQuotedFields() throws {
        // Prepare / Execute / Assert: text, expected records.
        let cases: [(String, [[String]])] = [
            ("a,b\n1,2\n", [["a", "b"], ["1", "2"]]),
            ("a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]]),
            ("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n", [["a", "b"], ["x, y", "say \"hi\""]]),
            ("a,b\n\"line1\nline2\",2\n", [["a", "b"], ["line1\nline2", "2"]]),
            ("a,b\n,\n", [["a", "b"], ["", ""]]),
            ("a,b\n1,2", [["a", "b"], ["1", "2"]]),
            ("a\n\n1\n", [["a"], ["1"]]),
            ("a,b\n\"\",x\n", [["a", "b"], ["", "x"]]),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try CSVTable.records(text, file: "t.csv"), expected, text.debugDescription)
        }
        let field = "it's \"quoted\", with\nnewline"
        XCTAssertEqual(try CSVTable.records("x\n" + CSVWriter.escape(field) + "\n", file: "t.csv")[1], [field],
                       "reads back what CSVWriter writes")
    }
}
