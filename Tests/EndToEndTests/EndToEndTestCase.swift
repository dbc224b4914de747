import XCTest

/// The base of the end-to-end test classes: a fresh `FedsimHarness` for every test, torn down
/// after it (every process it started stopped, stragglers killed, its folder removed), also when
/// the test fails or throws.
class EndToEndTestCase: XCTestCase {
    private(set) var harness: FedsimHarness!

    /// The shipped quickstart scenario most runs start from.
    var quickstart: String { FedsimHarness.repository + "/scenarios/quickstart.yaml" }

    override func setUpWithError() throws {
        try super.setUpWithError()
        harness = try FedsimHarness()
    }

    override func tearDown() {
        harness?.tearDown()
        harness = nil
        super.tearDown()
    }
}
