import Foundation
import XCTest

/// The unit tests of the `fedsim-client` package (python/tests: the codec against every
/// docs/PROTOCOL.md vector, the models' gradients, the PyTorch adapter where torch imports).
final class PythonPackageTests: EndToEndTestCase {
    func testPythonPackageUnitTests() throws {
        guard let python = ProcessInfo.processInfo.environment["FEDSIM_PYTHON"] else {
            throw XCTSkip("FEDSIM_PYTHON is not set (scripts/test sets it to the venv of scripts/python-env)")
        }
        let p = try harness.start(executable: python, ["-m", "unittest", "discover", "-v", "-s",
                                                       FedsimHarness.repository + "/python/tests", "-t",
                                                       FedsimHarness.repository + "/python"], log: "unittest.log")
        XCTAssertEqual(harness.wait(p, timeout: 120), 0, harness.text("unittest.log"))
        let log = harness.text("unittest.log")
        XCTAssertTrue(log.contains("test_every_vector") && log.contains("OK"), log)
        if log.contains("torch is not importable") { print("python/tests: the PyTorch adapter tests were skipped (no torch)") }
    }
}
