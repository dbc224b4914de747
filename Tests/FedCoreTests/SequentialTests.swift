import FedTestSupport
import XCTest
@testable import FedCore

/// The Sequential model as a whole: layout, the cnn mapping, initialisation schemes, dropout,
/// the workspace, the descriptors' errors, and learning on the bundled digits.
final class SequentialTests: XCTestCase {
    private func cnn(_ values: [String: ParameterValue], shape: [Int], classes: Int = 10) throws -> any Model {
        var v = Sequential.cnnDescriptor.defaults
        for (k, x) in values { v.set(k, x) }
        return try Sequential.cnnDescriptor.make(v, inputShape: shape, classes: classes)
    }

    // MARK: - Layout

    /// `conv: [32, 64], kernel: 3, pool: 2, dense: [128]` on 1x28x28 is the PyTorch MNIST
    /// example's net: 320 + 18,496 + 1,179,776 + 1,290 = 1,199,882 parameters.
    func testMNISTCNNHasThePyTorchExampleLayout() throws {
        let model = try XCTUnwrap(try cnn([:], shape: [1, 28, 28]) as? Sequential)
        XCTAssertEqual(model.specs, [.conv(channels: 32, kernel: 3), .relu, .conv(channels: 64, kernel: 3), .relu,
                                     .maxpool(size: 2), .flatten, .dense(outputs: 128), .relu, .dense(outputs: 10)])
        XCTAssertEqual(model.parameterCount, 1_199_882)
        let blocks = model.parameterBlocks
        XCTAssertEqual(blocks.map(\.name), ["conv0.weight", "conv0.bias", "conv1.weight", "conv1.bias",
                                            "dense0.weight", "dense0.bias", "dense1.weight", "dense1.bias"])
        XCTAssertEqual(blocks.map(\.shape), [[32, 1, 3, 3], [32], [64, 32, 3, 3], [64], [9216, 128], [128], [128, 10], [10]])
        // The blocks tile the vector in order.
        XCTAssertEqual(blocks.first?.range.lowerBound, 0)
        for (a, b) in zip(blocks, blocks.dropFirst()) { XCTAssertEqual(a.range.upperBound, b.range.lowerBound) }
        XCTAssertEqual(blocks.last?.range.upperBound, model.parameterCount)
        // With dropout: after the pool and after the hidden dense ReLU (the example's places).
        let dropped = try XCTUnwrap(try cnn(["dropout": .number(0.25)], shape: [1, 28, 28]) as? Sequential)
        XCTAssertEqual(dropped.specs.map(\.description), ["conv 32, kernel 3", "relu", "conv 64, kernel 3", "relu",
                                                          "maxpool 2", "dropout 0.25", "flatten", "dense 128", "relu",
                                                          "dropout 0.25", "dense 10"])
        XCTAssertEqual(dropped.parameterCount, 1_199_882)
    }

    func testShapeErrorsAreOneLineWithTheSizes() {
        let cases: [(String, () throws -> Void, UInt)] = [
            ("kind: cnn needs images of shape [C, H, W]; the dataset gives samples of shape [20] (flat features): use mlp, or image data",
             { _ = try self.cnn([:], shape: [20]) }, #line),
            ("kernel: cnn on samples of shape [1, 4, 4]: conv 64, kernel 3: the 3x3 window is larger than its input 32x2x2",
             { _ = try self.cnn([:], shape: [1, 4, 4]) }, #line),
            ("kernel: cnn on samples of shape [1, 5, 5]: maxpool 2: the 2x2 window is larger than its input 64x1x1",
             { _ = try self.cnn([:], shape: [1, 5, 5]) }, #line),
        ]
        for (expected, body, line) in cases {
            XCTAssertEqual(thrownMessage(body), expected, line: line)
        }
        var v = Sequential.layersDescriptor.defaults
        v.set("layers", .items([ParameterItem(kind: "dense", entries: [("dense", .int(8))]),
                                ParameterItem(kind: "conv", entries: [("conv", .int(4)), ("kernel", .int(3)),
                                                                      ("stride", .int(1)), ("padding", .int(0))])]))
        XCTAssertEqual(thrownMessage { _ = try Sequential.layersDescriptor.make(v, inputShape: [1, 8, 8], classes: 10) },
                       "layers[1]: on samples of shape [1, 8, 8]: conv 4, kernel 3 needs images of shape [C, H, W]; "
                           + "its input has shape [8] (flat features)")
    }

    // MARK: - Initialisation

    func testInitSchemesBoundsAndMoments() throws {
        // conv0: fan_in 1*3*3 = 9, fan_out 32*9; dense0: fan_in 64*4*4 = 1024 (1x12x12 input).
        let model = try XCTUnwrap(try cnn([:], shape: [1, 12, 12]) as? Sequential)
        let blocks = Dictionary(uniqueKeysWithValues: model.parameterBlocks.map { ($0.name, $0.range) })
        for scheme in InitScheme.allCases {
            let m = try Sequential(inputShape: [1, 12, 12], layers: model.specs, classes: 10, initScheme: scheme)
            var rng = SeededRNG(seed: 5)
            let p = m.initialParameters(rng: &rng)
            func check(_ name: String, fanIn: Int, fanOut: Int, isOutput: Bool, bias: Bool, line: UInt = #line) {
                let range = blocks[name + (bias ? ".bias" : ".weight")] ?? 0..<0
                let values = p[range].map(Double.init)
                let bound = bias ? (scheme.biasBound(fanIn: fanIn) ?? 0) : scheme.weightBound(fanIn: fanIn, fanOut: fanOut, isOutput: isOutput)
                XCTAssertTrue(values.allSatisfy { abs($0) <= bound }, "\(scheme) \(name)", line: line)
                if bound == 0 { return XCTAssertTrue(values.allSatisfy { $0 == 0 }, "\(scheme) \(name)", line: line) }
                // Uniform(-a, a): mean 0, variance a^2 / 3; the largest draw comes close to a.
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
                XCTAssertEqual(mean, 0, accuracy: 4 * bound / (3 * Double(values.count)).squareRoot(), "\(scheme) \(name)", line: line)
                XCTAssertEqual(variance, bound * bound / 3, accuracy: 0.25 * bound * bound / 3, "\(scheme) \(name)", line: line)
                XCTAssertGreaterThan(values.map(abs).max() ?? 0, 0.8 * bound, "\(scheme) \(name)", line: line)
            }
            check("conv0", fanIn: 9, fanOut: 288, isOutput: false, bias: false)
            check("conv0", fanIn: 9, fanOut: 288, isOutput: false, bias: true)
            check("conv1", fanIn: 288, fanOut: 576, isOutput: false, bias: false)
            check("dense0", fanIn: 1024, fanOut: 128, isOutput: false, bias: false)
            check("dense1", fanIn: 128, fanOut: 10, isOutput: true, bias: false)
            check("dense1", fanIn: 128, fanOut: 10, isOutput: true, bias: true)
        }
        // The formulas: pytorch is kaiming_uniform(a = sqrt(5)) = 1/sqrt(fan_in); he sqrt(6/fan_in).
        XCTAssertEqual(InitScheme.pytorch.weightBound(fanIn: 9, fanOut: 1, isOutput: false), 1.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(InitScheme.pytorch.biasBound(fanIn: 9) ?? 0, 1.0 / 3, accuracy: 1e-15)
        XCTAssertEqual(InitScheme.he.weightBound(fanIn: 6, fanOut: 1, isOutput: false), 1, accuracy: 1e-15)
        XCTAssertEqual(InitScheme.he.weightBound(fanIn: 4, fanOut: 1, isOutput: true), 0.5, accuracy: 1e-15)
        XCTAssertEqual(InitScheme.xavier.weightBound(fanIn: 2, fanOut: 4, isOutput: false), 1, accuracy: 1e-15)
        XCTAssertNil(InitScheme.he.biasBound(fanIn: 9))
    }

    /// The MLP's default (`he`) is the initialisation it always had: He uniform hidden layers,
    /// U(+-1/sqrt(fan_in)) output weights, zero biases, drawn in storage order.
    func testMLPDefaultInitIsTheHistoricalScheme() {
        let mlp = MLP(inputDimension: 5, hidden: [4, 3], classes: 2)
        XCTAssertEqual(mlp.initScheme, .he)
        var rng = SeededRNG(seed: 9)
        let p = mlp.initialParameters(rng: &rng)
        var expected = [Float]()
        var r2 = SeededRNG(seed: 9)
        for (l, layer) in mlp.layers.enumerated() {
            let fanIn = Double(layer.inputs)
            let bound = l == mlp.layers.count - 1 ? 1 / fanIn.squareRoot() : (6 / fanIn).squareRoot()
            for _ in 0..<(layer.inputs * layer.outputs) { expected.append(Float((2 * r2.nextDouble() - 1) * bound)) }
            expected += [Float](repeating: 0, count: layer.outputs)
        }
        XCTAssertEqual(p, expected)
        XCTAssertEqual(rng.next(), r2.next())   // the same number of draws
    }

    // MARK: - Dropout and workspace

    func testDropoutIsDeterministicFromTheRNGAndOffInEvaluation() throws {
        let model = try Sequential(inputShape: [200], layers: [.dropout(p: 0.3), .dense(outputs: 2)], classes: 2,
                                   initScheme: .zeros)
        let dropout = try XCTUnwrap(model.layers[0] as? Dropout)
        let x = [Float](repeating: 2, count: 400)
        func run(_ rng: SeededRNG?) -> [Float] {
            var out = [Float](repeating: .nan, count: 400)
            var scratch = [Float](repeating: .nan, count: dropout.scratchCount(batchSize: 2))
            var r = rng
            x.withUnsafeBufferPointer { xb in
                out.withUnsafeMutableBufferPointer { o in
                    scratch.withUnsafeMutableBufferPointer { s in
                        dropout.forward(parameters: UnsafeBufferPointer(start: nil, count: 0), input: xb, output: o,
                                        batchSize: 2, scratch: s, rng: &r)
                    }
                }
            }
            return out
        }
        let a = run(SeededRNG(seed: 1)), b = run(SeededRNG(seed: 1)), c = run(SeededRNG(seed: 2))
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(run(nil), x)   // evaluation: identity
        // Kept values are scaled by 1 / (1 - p); about p of them are dropped.
        XCTAssertTrue(a.allSatisfy { $0 == 0 || abs($0 - 2 / 0.7) < 1e-6 })
        let dropped = Double(a.filter { $0 == 0 }.count) / 400
        XCTAssertEqual(dropped, 0.3, accuracy: 0.08)
    }

    func testWorkspaceIsReusedAcrossBatches() throws {
        let model = try Sequential(inputShape: [1, 8, 8], layers: [.conv(channels: 4, kernel: 3), .relu, .maxpool(size: 2),
                                                                  .flatten, .dense(outputs: 10)], classes: 10)
        var rng = SeededRNG(seed: 1)
        let p = model.initialParameters(rng: &rng)
        let x = uniformFloats(16 * 64, scale: 1, rng: &rng)
        let y = (0..<16).map { Int32($0 % 10) }
        let workspace = ModelWorkspace()
        var g = [Float](repeating: 0, count: model.parameterCount)
        var losses = [Float]()
        var capacities = [Int]()
        for _ in 0..<3 {
            var none: SeededRNG? = nil
            let loss = p.withUnsafeBufferPointer { pb in
                x.withUnsafeBufferPointer { xb in
                    y.withUnsafeBufferPointer { yb in
                        g.withUnsafeMutableBufferPointer { gb in
                            model.lossAndGradients(parameters: pb, inputs: xb, labels: yb, batchSize: 16, gradient: gb,
                                                   inputGradient: nil, workspace: workspace, dropoutRNG: &none)
                        }
                    }
                }
            }
            losses.append(loss)
            capacities.append(workspace.capacity)
        }
        XCTAssertEqual(Set(losses).count, 1)
        XCTAssertEqual(Set(capacities).count, 1)   // grown once, then reused
        XCTAssertGreaterThan(capacities[0], 0)
        // Without a workspace the result is the same.
        let (loss, gradient) = model.lossAndGradient(parameters: p, inputs: x, labels: y)
        XCTAssertEqual(loss, losses[0])
        XCTAssertEqual(gradient, g)
    }

    // MARK: - Learning

    /// A small CNN (conv 8, kernel 3, max-pool 2, dense 32) on the 1x8x8 digits: 3 epochs of
    /// minibatch SGD (batch 32, 135 steps) take the held-out accuracy above 0.9 (it starts near 0.1).
    func testCNNLearnsDigits() throws {
        let digits = try DigitsData.load()
        XCTAssertEqual(digits.shape, [1, 8, 8])
        var splitRNG = SeededRNG(seed: 4)
        var order = Array(0..<digits.count)
        splitRNG.shuffle(&order)
        var train = digits.subset(Array(order[0..<1437])), test = digits.subset(Array(order[1437...]))
        let normalizer = Normalizer.fit(.minmax, on: train)
        normalizer.apply(to: &train)
        normalizer.apply(to: &test)
        let model = try cnn(["conv": .ints([8]), "dense": .ints([32])], shape: train.shape)
        XCTAssertEqual(model.parameterCount, 8 * 9 + 8 + 72 * 32 + 32 + 32 * 10 + 10)
        var initRNG = SeededRNG(seed: 1).derive("init")
        let start = model.initialParameters(rng: &initRNG)
        let before = evaluate(model: model, parameters: start, data: test)
        var rng = SeededRNG(seed: 1).derive("train")
        let config = LocalTraining(epochs: 3, batchSize: 32, sgd: SGDConfig(learningRate: 0.05, momentum: 0.9, weightDecay: 0))
        let result = trainLocally(model: model, start: start, data: train, config: config, rng: &rng)
        let after = evaluate(model: model, parameters: result.parameters, data: test)
        XCTAssertEqual(result.steps, 3 * 45)
        XCTAssertLessThan(before.accuracy, 0.3)
        XCTAssertGreaterThan(after.accuracy, 0.9, "accuracy \(after.accuracy)")
        // Same seed, same bits; dropout draws from the training rng's "dropout" sub-stream.
        let dropped = try cnn(["conv": .ints([8]), "dense": .ints([32]), "dropout": .number(0.2)], shape: train.shape)
        var r1 = SeededRNG(seed: 2), r2 = SeededRNG(seed: 2)
        let short = LocalTraining(epochs: 1, batchSize: 64, sgd: config.sgd)
        let once = trainLocally(model: dropped, start: start, data: train, config: short, rng: &r1)
        let twice = trainLocally(model: dropped, start: start, data: train, config: short, rng: &r2)
        XCTAssertEqual(once.parameters, twice.parameters)
    }
}
