import XCTest

final class PlaceholderFedWireTests: XCTestCase {
    func testBuilds() {}
}
