import FedTestSupport
import XCTest
@testable import FedCore

/// im2col against the definition and a direct convolution; pooling on hand-computed cases.
final class Im2colPoolingTests: XCTestCase {
    private func window(_ c: Int, _ h: Int, _ w: Int, kernel: Int, stride: Int = 1, padding: Int = 0) -> WindowGeometry {
        WindowGeometry(channels: c, height: h, width: w, kernelHeight: kernel, kernelWidth: kernel, stride: stride, padding: padding)
    }

    func testIm2colOfAHandMadeImage() {
        // x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], 2x2 kernel, stride 1: 4 patches (columns),
        // rows = kernel positions (0,0), (0,1), (1,0), (1,1).
        let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        var cols = [Float](repeating: .nan, count: 16)
        x.withUnsafeBufferPointer { xb in
            cols.withUnsafeMutableBufferPointer { im2col(xb, geometry: window(1, 3, 3, kernel: 2), cols: $0) }
        }
        XCTAssertEqual(cols, [1, 2, 4, 5,
                              2, 3, 5, 6,
                              4, 5, 7, 8,
                              5, 6, 8, 9])
        // Padding 1, stride 2, 3x3 kernel: output 2x2; the first patch is centred at (0, 0).
        var padded = [Float](repeating: .nan, count: 9 * 4)
        x.withUnsafeBufferPointer { xb in
            padded.withUnsafeMutableBufferPointer { im2col(xb, geometry: window(1, 3, 3, kernel: 3, stride: 2, padding: 1), cols: $0) }
        }
        // Column 0 (output (0,0)) is the 3x3 window at rows -1..1, cols -1..1.
        XCTAssertEqual(stride(from: 0, to: 36, by: 4).map { padded[$0] }, [0, 0, 0, 0, 1, 2, 0, 4, 5])
        // Column 3 (output (1,1)) is the window at rows 1..3, cols 1..3.
        XCTAssertEqual(stride(from: 3, to: 36, by: 4).map { padded[$0] }, [5, 6, 0, 8, 9, 0, 0, 0, 0])
    }

    /// Conv2D's forward (im2col + sgemm) equals the direct nested-loop convolution.
    func testConvolutionByIm2colMatchesDirectConvolution() {
        let cases: [(WindowGeometry, Int, Int, UInt)] = [
            (window(1, 28, 28, kernel: 3), 4, 2, #line),
            (window(3, 9, 7, kernel: 3, padding: 1), 5, 2, #line),
            (window(2, 10, 10, kernel: 5, stride: 2, padding: 2), 3, 3, #line),
            (window(4, 6, 6, kernel: 1), 2, 1, #line),
        ]
        for (g, out, batch, line) in cases {
            let conv = Conv2D(input: g, outChannels: out)
            var rng = SeededRNG(seed: UInt64(line))
            let p = uniformFloats(conv.parameterCount, scale: 1, rng: &rng)
            let x = uniformFloats(batch * g.inputCount, scale: 1, rng: &rng)
            var y = [Float](repeating: .nan, count: batch * conv.outputCount)
            var scratch = [Float](repeating: 0, count: conv.scratchCount(batchSize: batch))
            p.withUnsafeBufferPointer { pb in
                x.withUnsafeBufferPointer { xb in
                    y.withUnsafeMutableBufferPointer { yb in
                        scratch.withUnsafeMutableBufferPointer { s in
                            var none: SeededRNG? = nil
                            conv.forward(parameters: pb, input: xb, output: yb, batchSize: batch, scratch: s, rng: &none)
                        }
                    }
                }
            }
            let direct = referenceForward(conv, parameters: p.map(Double.init), input: x.map(Double.init), batchSize: batch)
            XCTAssertEqual(direct.count, y.count, line: line)
            for (a, d) in zip(y, direct) { XCTAssertEqual(Double(a), d, accuracy: 1e-4, line: line) }
        }
    }

    /// col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>.
    func testCol2imIsTheAdjointOfIm2col() {
        for g in [window(2, 5, 6, kernel: 3), window(3, 7, 7, kernel: 3, stride: 2, padding: 1)] {
            var rng = SeededRNG(seed: 3)
            let x = uniformFloats(g.inputCount, scale: 1, rng: &rng)
            let c = uniformFloats(g.patchSize * g.positions, scale: 1, rng: &rng)
            var cols = [Float](repeating: 0, count: c.count)
            var back = [Float](repeating: .nan, count: x.count)
            x.withUnsafeBufferPointer { xb in cols.withUnsafeMutableBufferPointer { im2col(xb, geometry: g, cols: $0) } }
            c.withUnsafeBufferPointer { cb in back.withUnsafeMutableBufferPointer { col2im(cb, geometry: g, dx: $0) } }
            let lhs = zip(cols, c).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(x, back).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(1, abs(lhs)))
        }
    }

    // MARK: - Pooling, hand-computed

    /// Forward and backward (dy = 1 everywhere, so dx counts which inputs receive gradient).
    private func pool(_ layer: any Layer, _ x: [Float]) -> (y: [Float], dx: [Float]) {
        var y = [Float](repeating: .nan, count: layer.outputCount)
        var dx = [Float](repeating: .nan, count: x.count)
        let dy = [Float](repeating: 1, count: layer.outputCount)
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                var none: SeededRNG? = nil
                let s = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
                layer.forward(parameters: UnsafeBufferPointer(start: nil, count: 0), input: xb, output: yb, batchSize: 1,
                              scratch: s, rng: &none)
                dy.withUnsafeBufferPointer { g in
                    dx.withUnsafeMutableBufferPointer { d in
                        layer.backward(parameters: UnsafeBufferPointer(start: nil, count: 0), input: xb,
                                       output: UnsafeBufferPointer(yb), outputGradient: g, batchSize: 1, scratch: s,
                                       training: false, gradient: nil, inputGradient: d)
                    }
                }
            }
        }
        return (y, dx)
    }

    func testMaxPoolHandComputedWithTies() {
        let cases: [(x: [Float], kernel: Int, stride: Int, y: [Float], dx: [Float], line: UInt)] = [
            // 4x4, 2x2 windows: maxima 6, 8, 14, 16.
            ([1, 2, 5, 6,
              3, 6, 7, 8,
              9, 14, 13, 16,
              10, 11, 15, 12], 2, 2, [6, 8, 14, 16],
             [0, 0, 0, 0,
              0, 1, 0, 1,
              0, 1, 0, 1,
              0, 0, 0, 0], #line),
            // A tie in every window: the first maximum in row-major order gets the gradient.
            ([3, 3, 1, 2,
              3, 0, 2, 2], 2, 2, [3, 2],
             [1, 0, 0, 1,
              0, 0, 0, 0], #line),
            // Overlapping 2x2 windows with stride 1 on 2x3: both windows pick the shared 9.
            ([1, 9, 2,
              4, 3, 5], 2, 1, [9, 9],
             [0, 2, 0,
              0, 0, 0], #line),
            // Negative values and a partial window dropped (3x3 with 2x2 windows: one window).
            ([-5, -2, 7,
              -3, -4, 7,
              7, 7, 7], 2, 2, [-2],
             [0, 1, 0,
              0, 0, 0,
              0, 0, 0], #line),
        ]
        for c in cases {
            let h = c.x.count == 16 ? 4 : (c.x.count == 9 ? 3 : 2)
            let w = c.x.count / h
            let layer = MaxPool2D(input: WindowGeometry(channels: 1, height: h, width: w, kernelHeight: c.kernel,
                                                        kernelWidth: c.kernel, stride: c.stride))
            let (y, dx) = pool(layer, c.x)
            XCTAssertEqual(y, c.y, line: c.line)
            XCTAssertEqual(dx, c.dx, line: c.line)
        }
    }

    func testAvgPoolHandComputed() {
        // [[1, 2], [3, 6]] -> 3; each input gets 1/4 of dy.
        let (y, dx) = pool(AvgPool2D(input: window(1, 2, 2, kernel: 2, stride: 2)), [1, 2, 3, 6])
        XCTAssertEqual(y, [3])
        XCTAssertEqual(dx, [0.25, 0.25, 0.25, 0.25])
        // Two channels of 2x4, 2x2 windows: two windows per channel.
        let (y2, dx2) = pool(AvgPool2D(input: window(2, 2, 4, kernel: 2, stride: 2)),
                             [1, 3, 0, 0, 5, 7, 4, 8,   2, 2, 2, 2, 2, 2, 2, 6])
        XCTAssertEqual(y2, [4, 3, 2, 3])
        XCTAssertEqual(dx2, [Float](repeating: 0.25, count: 16))
        // Overlapping windows (3x3 input, 2x2 windows, stride 1): the centre is in all four.
        let (_, dx3) = pool(AvgPool2D(input: window(1, 3, 3, kernel: 2, stride: 1)), [1, 2, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(dx3, [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25])
    }
}
