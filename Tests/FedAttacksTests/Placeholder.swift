import XCTest

final class FedAttacksPlaceholder: XCTestCase {
    func testBuilds() {}
}
