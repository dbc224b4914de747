import XCTest

final class PlaceholderFedCoreTests: XCTestCase {
    func testBuilds() {}
}
