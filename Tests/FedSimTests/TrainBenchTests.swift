import FedCore
import Foundation
import XCTest
@testable import FedSim

/// `fedsim bench train`: the model it times, its result lines, its option checks.
final class TrainBenchTests: XCTestCase {
    func testTheBenchmarkedModelIsTheMNISTCNN() throws {
        XCTAssertEqual(try TrainBench.model(shape: [1, 28, 28]).parameterCount, 1_199_882)
    }

    func testResultLinesParseAsKeyValue() throws {
        // Prepare: a 1x12x12 input keeps the same layers small (131k parameters).
        let config = TrainBench.Configuration(batchSizes: [2, 3], repeats: 2, warmup: 1, threads: 1, shape: [1, 12, 12])
        // Execute
        let results = try TrainBench.run(config)
        // Assert
        XCTAssertEqual(results.map(\.batchSize), [2, 3])
        for r in results {
            XCTAssertEqual(r.timesMs.count, 2)
            XCTAssertEqual(r.parameters, 32 * 9 + 32 + 64 * 288 + 64 + 1024 * 128 + 128 + 128 * 10 + 10)
            let text = BenchOutput.line(BenchOutput.fields(r), type: "bench", format: .text)
            let fields = try XCTUnwrap(BenchOutput.parse(text), text)
            XCTAssertEqual(fields["bench"], "train")
            XCTAssertEqual(fields["impl"], "fedsim")
            XCTAssertEqual(fields["batch"], "\(r.batchSize)")
            XCTAssertEqual(fields["shape"], "1x12x12")
            for key in ["best_ms", "median_ms", "images_per_s"] {
                let v = try XCTUnwrap(fields[key].flatMap(Double.init), "\(key) in \(text)")
                XCTAssertTrue(v > 0 && v.isFinite, text)
            }
            let json = BenchOutput.line(BenchOutput.fields(r), type: "bench", format: .json)
            let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            XCTAssertEqual(object?["batch"] as? Int, r.batchSize)
        }
        let header = BenchOutput.line(BenchOutput.header(config, cores: 2), type: "header", format: .text)
        XCTAssertFalse(header.dropFirst(2).split(separator: " ").contains { !$0.contains("=") && $0 != "header" }, header)
    }

    func testOptionsAreValidated() {
        let bad: [TrainBench.Configuration] = [
            .init(batchSizes: []), .init(batchSizes: [0]), .init(repeats: 0), .init(warmup: -1), .init(threads: -1),
            .init(shape: [28, 28]), .init(shape: [1, 0, 28]),
        ]
        for c in bad { XCTAssertThrowsError(try c.validate(), "\(c)") }
        XCTAssertNoThrow(try TrainBench.Configuration().validate())
    }
}
