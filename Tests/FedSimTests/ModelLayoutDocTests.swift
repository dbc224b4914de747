import FedCore
import FedResults
import FedTestSupport
@testable import FedSim
import Foundation
import XCTest

/// docs/RESULTS.md, "model.bin", is enough to use a model.bin: a reader written from that
/// section alone (block order and shapes from the model's keys, dense weights `[in, out]`,
/// convolutions `[out, in, kh, kw]`, row-major, little-endian Float32) loads the file fedsim
/// wrote and computes the same logits as fedsim's model, for each model kind.
final class ModelLayoutDocTests: XCTestCase {
    // MARK: - The reader, from the doc

    /// A block as the doc describes it.
    private struct Block { let name: String; let shape: [Int] }

    /// The doc's table: the blocks of each model kind, from its keys, the input shape and C.
    private func documentedBlocks(kind: String, input: [Int], classes: Int, hidden: [Int] = [], conv: [Int] = [],
                                  kernel: Int = 3, padding: Int = 0, pool: Int = 2, dense: [Int] = []) -> [Block] {
        let d = input.reduce(1, *)
        switch kind {
        case "logistic":
            return [Block(name: "dense0.weight", shape: [d, classes]), Block(name: "dense0.bias", shape: [classes])]
        case "mlp":
            let widths = [d] + hidden + [classes]
            return (0..<(widths.count - 1)).flatMap { k in
                [Block(name: "dense\(k).weight", shape: [widths[k], widths[k + 1]]), Block(name: "dense\(k).bias", shape: [widths[k + 1]])]
            }
        default:  // cnn
            var blocks: [Block] = []
            var (c, h, w) = (input[0], input[1], input[2])
            for (k, out) in conv.enumerated() {
                blocks += [Block(name: "conv\(k).weight", shape: [out, c, kernel, kernel]), Block(name: "conv\(k).bias", shape: [out])]
                (c, h, w) = (out, h + 2 * padding - kernel + 1, w + 2 * padding - kernel + 1)
            }
            (h, w) = (h / pool, w / pool)
            let widths = [c * h * w] + dense + [classes]
            for k in 0..<(widths.count - 1) {
                blocks += [Block(name: "dense\(k).weight", shape: [widths[k], widths[k + 1]]), Block(name: "dense\(k).bias", shape: [widths[k + 1]])]
            }
            return blocks
        }
    }

    /// Reads model.bin: little-endian Float32, no header, blocks back to back.
    private func read(_ path: String, _ blocks: [Block]) throws -> [String: [Float]] {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: path))
        let values = stride(from: 0, to: data.count, by: 4).map { i -> Float in
            let bits = UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
            return Float(bitPattern: bits)
        }
        var out: [String: [Float]] = [:]
        var at = 0
        for b in blocks {
            let n = b.shape.reduce(1, *)
            out[b.name] = Array(values[at..<(at + n)])
            at += n
        }
        XCTAssertEqual(at, values.count, "the blocks tile the file")
        return out
    }

    /// y = x W + b with W `[in, out]` row-major.
    private func denseForward(_ x: [Float], _ w: [Float], _ b: [Float]) -> [Float] {
        let out = b.count, inputs = x.count
        return (0..<out).map { o in b[o] + (0..<inputs).reduce(Float(0)) { $0 + x[$1] * w[$1 * out + o] } }
    }

    private func relu(_ x: [Float]) -> [Float] { x.map { max(0, $0) } }

    /// Cross-correlation with W `[out, in, k, k]`, zero padding, stride 1; x and y in C order `[c, h, w]`.
    private func conv(_ x: [Float], c: Int, h: Int, w: Int, _ weight: [Float], _ bias: [Float], k: Int, p: Int) -> ([Float], Int, Int) {
        let out = bias.count, oh = h + 2 * p - k + 1, ow = w + 2 * p - k + 1
        var y = [Float](repeating: 0, count: out * oh * ow)
        for o in 0..<out { for i in 0..<oh { for j in 0..<ow {
            var s = bias[o]
            for ci in 0..<c { for u in 0..<k { for v in 0..<k {
                let r = i + u - p, q = j + v - p
                if r >= 0, r < h, q >= 0, q < w { s += weight[((o * c + ci) * k + u) * k + v] * x[(ci * h + r) * w + q] }
            } } }
            y[(o * oh + i) * ow + j] = s
        } } }
        return (y, oh, ow)
    }

    private func maxPool(_ x: [Float], c: Int, h: Int, w: Int, _ k: Int) -> [Float] {
        let oh = h / k, ow = w / k
        var y = [Float](repeating: 0, count: c * oh * ow)
        for ci in 0..<c { for i in 0..<oh { for j in 0..<ow {
            var m = -Float.infinity
            for u in 0..<k { for v in 0..<k { m = max(m, x[(ci * h + i * k + u) * w + j * k + v]) } }
            y[(ci * oh + i) * ow + j] = m
        } } }
        return y
    }

    // MARK: - Against fedsim

    /// Writes model.bin for `kind` through the run's results writer, then checks the doc's
    /// reader: the same block names and shapes as the model declares, and the same logits.
    private func check(_ modelYAML: String, kind: String, input: [Int], blocks: [Block],
                       forward: ([String: [Float]], [Float]) -> [Float], line: UInt = #line) throws {
        let dir = try TemporaryDirectory(prefix: "fedsim-layout")
        defer { dir.remove() }
        let classes = 3
        let s = try Scenario.parse(yaml: "name: m\ndataset: {kind: synthetic}\nmodel: \(modelYAML)\n", file: "m.yaml", baseDirectory: "/")
        let model = try s.model.make(inputShape: input, classes: classes)
        // Declared by the code: names and shapes in storage order, as the doc says.
        XCTAssertEqual(model.parameterBlocks.map(\.name), blocks.map(\.name), line: line)
        XCTAssertEqual(model.parameterBlocks.map(\.shape), blocks.map(\.shape), line: line)
        // Parameters that tell every position apart, written as a run writes model.bin.
        let parameters = (0..<model.parameterCount).map { Float(sin(Double($0) * 0.37)) * 0.5 }
        let results = try RunResults(directory: dir.path + "/run", scenario: s, labelCounts: [])
        try results.finish(summary: RunSummary(name: "m", seed: 1, status: "completed", roundsPlanned: 1, roundsCompleted: 1,
                                               updatesReceived: 0, updatesRejected: 0, wallSeconds: 0, clients: 1, processes: 1,
                                               parameters: model.parameterCount, trainSamples: 0, testSamples: 0,
                                               fingerprint: "0", attacks: [], maliciousReceived: 0, aggregator: "fedavg"),
                           model: parameters)
        let loaded = try read(dir.path + "/run/model.bin", blocks)

        let x = (0..<input.reduce(1, *)).map { Float(cos(Double($0) * 0.91)) }
        var logits = [Float](repeating: 0, count: classes)
        parameters.withUnsafeBufferPointer { p in
            x.withUnsafeBufferPointer { xs in
                logits.withUnsafeMutableBufferPointer { model.logits(parameters: p, inputs: xs, batchSize: 1, into: $0) }
            }
        }
        let expected = forward(loaded, x)
        for k in 0..<classes { XCTAssertEqual(logits[k], expected[k], accuracy: 1e-4 * max(1, abs(expected[k])), "\(kind) logit \(k)", line: line) }
    }

    func testLogistic() throws {
        let input = [1, 4, 5]
        try check("{kind: logistic}", kind: "logistic", input: input,
                  blocks: documentedBlocks(kind: "logistic", input: input, classes: 3)) { b, x in
            denseForward(x, b["dense0.weight"] ?? [], b["dense0.bias"] ?? [])
        }
    }

    func testMLP() throws {
        let input = [1, 4, 4]
        try check("{kind: mlp, hidden: [7, 5]}", kind: "mlp", input: input,
                  blocks: documentedBlocks(kind: "mlp", input: input, classes: 3, hidden: [7, 5])) { b, x in
            let h0 = relu(denseForward(x, b["dense0.weight"] ?? [], b["dense0.bias"] ?? []))
            let h1 = relu(denseForward(h0, b["dense1.weight"] ?? [], b["dense1.bias"] ?? []))
            return denseForward(h1, b["dense2.weight"] ?? [], b["dense2.bias"] ?? [])
        }
    }

    func testCNN() throws {
        let input = [2, 7, 7]
        try check("{kind: cnn, conv: [3, 4], kernel: 3, padding: 1, pool: 2, dense: [6]}", kind: "cnn", input: input,
                  blocks: documentedBlocks(kind: "cnn", input: input, classes: 3, conv: [3, 4], kernel: 3, padding: 1, pool: 2,
                                           dense: [6])) { b, x in
            var (a, h, w) = conv(x, c: 2, h: 7, w: 7, b["conv0.weight"] ?? [], b["conv0.bias"] ?? [], k: 3, p: 1)
            a = relu(a)
            (a, h, w) = conv(a, c: 3, h: h, w: w, b["conv1.weight"] ?? [], b["conv1.bias"] ?? [], k: 3, p: 1)
            a = relu(a)
            let pooled = maxPool(a, c: 4, h: h, w: w, 2)       // flattened in C order [c, h, w]
            let d0 = relu(denseForward(pooled, b["dense0.weight"] ?? [], b["dense0.bias"] ?? []))
            return denseForward(d0, b["dense1.weight"] ?? [], b["dense1.bias"] ?? [])
        }
    }
}
