import XCTest

final class PlaceholderFedSimTests: XCTestCase {
    func testBuilds() {}
}
