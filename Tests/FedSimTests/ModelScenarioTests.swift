import FedCore
import FedTestSupport
import XCTest
@testable import FedSim

/// `model: {kind: cnn | layers, ...}` in scenario files: the list of layers read with
/// file:line:key errors, the resolved YAML reading back to the same model, and the model built
/// from the data's shape.
final class ModelScenarioTests: XCTestCase {
    private func parse(_ yaml: String) throws -> Scenario {
        try Scenario.parse(yaml: yaml, file: "scenarios/x.yaml", baseDirectory: "/data", overrides: [])
    }

    func testLayersListReadsAndRoundTrips() throws {
        let s = try parse("""
            model:
              kind: layers
              layers: [{conv: 4, kernel: 3, padding: 1}, relu, maxpool, {dropout: 0.25}, flatten, {dense: 16}, relu]
              init: xavier
            """)
        XCTAssertEqual(s.model.kind, "layers")
        let items = s.model.values.items("layers")
        XCTAssertEqual(items.map(\.description), ["{conv: 4, kernel: 3, stride: 1, padding: 1}", "relu", "{maxpool: 2}",
                                                  "{dropout: 0.25}", "flatten", "{dense: 16}", "relu"])
        XCTAssertEqual(try parse(s.resolvedYAML()), s)
        XCTAssertTrue(s.resolvedYAML().contains("  layers: [{conv: 4, kernel: 3, stride: 1, padding: 1}, relu, {maxpool: 2}, "
                                                + "{dropout: 0.25}, flatten, {dense: 16}, relu]\n"))
        let model = try XCTUnwrap(try s.model.make(inputShape: [1, 8, 8], classes: 10) as? Sequential)
        XCTAssertEqual(model.initScheme, .xavier)
        XCTAssertEqual(model.layers.map(\.outputShape).last, [10])   // the output layer is appended
        XCTAssertEqual(model.parameterCount, (4 * 9 + 4) + (64 * 16 + 16) + (16 * 10 + 10))
        // Block style reads the same.
        let block = try parse("model:\n  kind: layers\n  layers:\n    - conv: 4\n      padding: 1\n    - relu\n"
                              + "    - maxpool: 2\n    - dropout: 0.25\n    - flatten\n    - dense: 16\n    - relu\n  init: xavier\n")
        XCTAssertEqual(block, s)
    }

    func testLayersListErrorsNameTheItem() {
        let cases: [(String, String, UInt)] = [
            ("[{conv: 4, kernal: 3}]", "scenarios/x.yaml:3:22: model.layers[0].kernal: unknown key; did you mean kernel? allowed: conv, kernel, stride, padding", #line),
            ("[relu, {conv: 4, dense: 3}]", "scenarios/x.yaml:3:18: model.layers[1]: a mapping item names several kinds (conv, dense); "
                + "it needs exactly one of conv, maxpool, avgpool, dense, relu, flatten, dropout", #line),
            ("[{kernel: 3}]", "scenarios/x.yaml:3:12: model.layers[0]: a mapping item names no kind; "
                + "it needs exactly one of conv, maxpool, avgpool, dense, relu, flatten, dropout", #line),
            ("[dense]", "scenarios/x.yaml:3:12: model.layers[0]: dense needs a value: write {dense: ...}", #line),
            ("[sigmoid]", "scenarios/x.yaml:3:12: model.layers[0]: unknown item \"sigmoid\"; allowed: conv, maxpool, avgpool, dense, relu, flatten, dropout", #line),
            ("[{dropout: 1}]", "scenarios/x.yaml:3:22: model.layers[0].dropout: 1 is out of range; allowed: 0 <= dropout < 1", #line),
            ("[{conv: 0}]", "scenarios/x.yaml:3:19: model.layers[0].conv: 0 is out of range; allowed: 1 <= conv <= 4096", #line),
            ("[{conv: }]", "scenarios/x.yaml:3:19: model.layers[0].conv: conv needs a value", #line),
            ("[[relu]]", "scenarios/x.yaml:3:12: model.layers[0]: expected one of conv, maxpool, avgpool, dense, relu, flatten, dropout "
                + "or a mapping such as {conv: ...}; got a list", #line),
            ("relu", "scenarios/x.yaml:3:11: model.layers: expected a list such as [{conv: ...}, ...] of conv, maxpool, avgpool, "
                + "dense, relu, flatten, dropout; got \"relu\"", #line),
        ]
        for (list, expected, line) in cases {
            let message = thrownMessage({ _ = try self.parse("model:\n  kind: layers\n  layers: \(list)\n") }, line: line)
            XCTAssertEqual(message, expected, line: line)
        }
        XCTAssertEqual(thrownMessage { _ = try self.parse("model: {kind: cnn, init: kaiming}\n") },
                       "scenarios/x.yaml:1:26: model.init: unknown value \"kaiming\"; allowed: he, pytorch, xavier, zeros")
    }

    /// A cnn on flat features fails when the federation is prepared, in one line with the shape.
    func testCNNOnFlatFeaturesFailsAtPrepare() throws {
        let s = try parse("dataset: {kind: synthetic, synthetic: {samples: 100, features: 12, classes: 3}}\nmodel: {kind: cnn}\n")
        XCTAssertEqual(thrownMessage { _ = try FederationData.prepare(s) },
                       "kind: cnn needs images of shape [C, H, W]; the dataset gives samples of shape [12] (flat features): "
                           + "use mlp, or image data")
        let digits = try parse("model: {kind: cnn, conv: [8], dense: [32]}\n")
        let data = try FederationData.prepare(digits)
        XCTAssertEqual(data.model.parameterCount, 2_746)
        XCTAssertEqual(data.initialParameters.count, 2_746)
    }
}
