import FedCore
import FedTestSupport
import XCTest

/// CSV label columns by index or header name, and string labels mapped to classes in sorted order.
final class CSVLabelsTests: XCTestCase {
    func testALabelColumnByIndexOrNameAnywhereInTheRow() throws {
        let text = "id,label,x\n1,0,0.5\n2,2,1.5\n"
        for column in [CSVLabels.Column.index(1), .name("label")] {
            let d = try CSVLoader.parse(text: text, name: "m.csv", labels: CSVLabels(column: column))
            XCTAssertEqual(d.dimension, 2, "\(column)")
            XCTAssertEqual(d.features, [1, 0.5, 2, 1.5], "every other column is a feature, in file order")
            XCTAssertEqual(d.labels, [0, 2])
            XCTAssertEqual(d.classes, 3)
            XCTAssertNil(d.classNames)
        }
        // Index 0 on a file without a header.
        let first = try CSVLoader.parse(text: "1,9,8\n0,7,6\n", name: "f.csv", labels: CSVLabels(column: .index(0)))
        XCTAssertEqual(first.labels, [1, 0])
        XCTAssertEqual(first.features, [9, 8, 7, 6])
    }

    func testStringLabelsAreClassesInSortedOrder() throws {
        let text = "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n4.9,1.4,setosa\n\"6.4\",4.5,\"versicolor\"\n"
        let d = try CSVLoader.parse(text: text, name: "iris.csv", labels: CSVLabels(column: .name("species"), mode: .auto))
        XCTAssertEqual(d.classNames, ["setosa", "versicolor", "virginica"])
        XCTAssertEqual(d.labels, [0, 1, 2, 0, 1])
        XCTAssertEqual(d.classes, 3)
        XCTAssertEqual(d.features, [5.1, 1.4, 7.0, 4.7, 6.3, 6.0, 4.9, 1.4, 6.4, 4.5])
        // The last column by default; a header is recognised by its feature names.
        let last = try CSVLoader.parse(text: "a,b,y\n1,2,dog\n3,4,cat\n5,6,Dog\n", name: "p.csv", labels: CSVLabels(mode: .auto))
        XCTAssertEqual(last.classNames, ["Dog", "cat", "dog"], "byte order: upper case first")
        XCTAssertEqual(last.labels, [2, 1, 0])
        // Without a header, the first row is data even though its label is text.
        let bare = try CSVLoader.parse(text: "1,2,b\n3,4,a\n", name: "b.csv", labels: CSVLabels(mode: .auto))
        XCTAssertEqual(bare.count, 2)
        XCTAssertEqual(bare.labels, [1, 0])
    }

    func testNumericLabelsUnderAutoSortAsNumbers() throws {
        let d = try CSVLoader.parse(text: "1,10\n2,2\n3,-1\n4,2.5\n5,10\n", name: "n.csv", labels: CSVLabels(mode: .auto))
        XCTAssertEqual(d.classNames, ["-1", "2", "2.5", "10"])
        XCTAssertEqual(d.labels, [3, 1, 0, 2, 3])
        XCTAssertEqual(d.classes, 4)
    }

    func testTheMappingSurvivesASubset() throws {
        let d = try CSVLoader.parse(text: "1,b\n2,a\n3,c\n", name: "s.csv", labels: CSVLabels(mode: .auto))
        XCTAssertEqual(d.subset([2, 0]).classNames, ["a", "b", "c"])
    }

    func testErrorsNameTheFileLineAndColumn() {
        let cases: [(String, CSVLabels, String)] = [
            ("id,labl,x\n1,0,2\n", CSVLabels(column: .name("label")),
             "x.csv:1: no column named \"label\" (dataset.label_column); did you mean labl? columns: id, labl, x"),
            ("id,kind,x\n1,0,2\n", CSVLabels(column: .name("species")),
             "x.csv:1: no column named \"species\" (dataset.label_column); columns: id, kind, x"),
            ("1,0,2\n", CSVLabels(column: .name("label")),
             "x.csv:1: label_column \"label\" is a name, but the file has no header line; give its index (0 is the first column)"),
            ("1,0,2\n", CSVLabels(column: .index(3)),
             "x.csv:1: label_column 3 is past the last column (rows have 3 values, columns 0 to 2)"),
            ("a,b\n1,cat\n", CSVLabels(),
             "x.csv:2: label must be a non-negative integer, got \"cat\" (labels: auto maps any labels to classes)"),
            ("a,b,y\n1,x,dog\n", CSVLabels(mode: .auto), "x.csv:2: value 2 is not a number: \"x\""),
            ("a,b,y\n1,2,\n", CSVLabels(mode: .auto), "x.csv:2: the label is empty"),
        ]
        for (text, labels, expected) in cases {
            XCTAssertEqual(thrownMessage { _ = try CSVLoader.parse(text: text, name: "x.csv", labels: labels) }, expected,
                           text.debugDescription)
        }
    }
}
