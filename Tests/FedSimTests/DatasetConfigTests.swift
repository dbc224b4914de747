import FedCore
import FedTestSupport
@testable import FedSim
import Foundation
import XCTest

/// The published image datasets in `dataset:`: the folder from `path` or `$FEDSIM_DATA/<kind>`,
/// the missing-folder message, and the per-kind default of `normalize`.
final class DatasetConfigTests: XCTestCase {
    private var saved: String?

    override func setUp() {
        saved = ProcessInfo.processInfo.environment[DatasetConfig.dataEnvironment]
        unsetenv(DatasetConfig.dataEnvironment)
    }

    override func tearDown() {
        if let saved { setenv(DatasetConfig.dataEnvironment, saved, 1) } else { unsetenv(DatasetConfig.dataEnvironment) }
    }

    private func parse(_ yaml: String) throws -> Scenario {
        try Scenario.parse(yaml: yaml, file: "scenarios/x.yaml", baseDirectory: "/data/runs")
    }

    func testPathIsTheFolderRelativeToTheScenario() throws {
        let s = try parse("dataset: {kind: mnist, path: ../mnist}\n")
        XCTAssertEqual(s.dataset.path, "/data/mnist")
        XCTAssertEqual(s.dataset.normalize, .channels)
    }

    func testEnvironmentNamesTheFolderOfEveryPublishedDataset() throws {
        setenv(DatasetConfig.dataEnvironment, "/srv/datasets", 1)
        for kind in ["mnist", "fashion", "cifar10"] {
            let s = try parse("dataset: {kind: \(kind)}\n")
            XCTAssertEqual(s.dataset.path, "/srv/datasets/\(kind)")
            // Written out resolved: reading it back needs no environment.
            unsetenv(DatasetConfig.dataEnvironment)
            XCTAssertEqual(try Scenario.parse(yaml: s.resolvedYAML(), file: "r.yaml", baseDirectory: "/").dataset, s.dataset)
            setenv(DatasetConfig.dataEnvironment, "/srv/datasets", 1)
        }
        // A given path wins; kinds without a data folder ignore the variable.
        XCTAssertEqual(try parse("dataset: {kind: mnist, path: /x/m}\n").dataset.path, "/x/m")
        XCTAssertNil(try parse("dataset: {kind: digits}\n").dataset.path)
    }

    func testMissingFolderSaysWhereToPutIt() {
        for (kind, files) in [("mnist", "the four MNIST IDX files"), ("fashion", "the four Fashion-MNIST IDX files"),
                              ("cifar10", "data_batch_1.bin ... test_batch.bin")] {
            XCTAssertEqual(thrownMessage { _ = try parse("dataset:\n  kind: \(kind)\n") },
                           "scenarios/x.yaml:2:9: dataset.path: missing; dataset.kind \(kind) needs path: <folder with \(files)>, "
                           + "relative to the scenario file, or FEDSIM_DATA=<folder> holding \(kind)/ (scripts/fetch-data \(kind))")
        }
    }

    func testNormalizeDefaultsByKindAndCanBeSet() throws {
        XCTAssertEqual(try parse("dataset: {kind: digits}\n").dataset.normalize, .minmax)
        XCTAssertEqual(try parse("dataset: {kind: synthetic}\n").dataset.normalize, .minmax)
        XCTAssertEqual(try parse("dataset: {kind: cifar10, path: c}\n").dataset.normalize, .channels)
        XCTAssertEqual(try parse("dataset: {kind: mnist, path: m, normalize: pixels}\n").dataset.normalize, .pixels)
    }

    func testMissingFolderFailsWhenTheDataIsPrepared() throws {
        let dir = try TemporaryDirectory(prefix: "fedsim-ds")
        defer { dir.remove() }
        let s = try parse("dataset: {kind: cifar10, path: \(dir.path)}\n")
        XCTAssertEqual(thrownMessage { _ = try FederationData.prepare(s) },
                       "\(dir.path): no data_batch_1.bin (looked for data_batch_1.bin, cifar-10-batches-bin/data_batch_1.bin)")
    }
}
