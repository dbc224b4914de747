import FedCore
import Foundation

// Double-precision reference implementations of FedCore's layers, written as the textbook
// formulas (a direct nested-loop convolution, window loops for pooling), for finite
// differences and for checking im2col against a direct convolution.

/// The output of `layer` on a batch, in Double, computed directly from the formula.
/// Dropout is the identity here (evaluation mode) unless `dropoutMask` is given.
public func referenceForward(_ layer: any Layer, parameters p: [Double], input x: [Double], batchSize: Int,
                             dropoutMask: [Double]? = nil) -> [Double] {
    let inCount = layer.inputShape.reduce(1, *)
    let outCount = layer.outputShape.reduce(1, *)
    var y = [Double](repeating: 0, count: batchSize * outCount)
    switch layer {
    case let conv as Conv2D:
        let g = conv.geometry
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        let k = g.patchSize
        for b in 0..<batchSize {
            for o in 0..<conv.outChannels {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var sum = p[conv.weightCount + o]
                        for c in 0..<g.channels {
                            for i in 0..<g.kernelHeight {
                                for j in 0..<g.kernelWidth {
                                    let yy = oy * g.stride + i - g.padding, xx = ox * g.stride + j - g.padding
                                    guard yy >= 0, yy < g.height, xx >= 0, xx < g.width else { continue }
                                    let w = p[o * k + (c * g.kernelHeight + i) * g.kernelWidth + j]
                                    sum += w * x[b * inCount + (c * g.height + yy) * g.width + xx]
                                }
                            }
                        }
                        y[b * outCount + (o * oh + oy) * ow + ox] = sum
                    }
                }
            }
        }
    case let pool as MaxPool2D:
        y = referencePool(pool.geometry, x, batchSize: batchSize) { $0.max() ?? 0 }
    case let pool as AvgPool2D:
        y = referencePool(pool.geometry, x, batchSize: batchSize) { $0.reduce(0, +) / Double($0.count) }
    case let dense as Dense:
        let (n, m) = (dense.layer.inputs, dense.outputs)
        for b in 0..<batchSize {
            for o in 0..<m {
                var sum = p[n * m + o]
                for i in 0..<n { sum += x[b * n + i] * p[i * m + o] }
                y[b * m + o] = sum
            }
        }
    case is ReLU:
        y = x.map { max($0, 0) }
    case is Flatten:
        y = x
    case is Dropout:
        y = dropoutMask.map { zip(x, $0).map { $0 * $1 } } ?? x
    default:
        preconditionFailure("referenceForward: no reference for \(type(of: layer))")
    }
    return y
}

/// Pooling by `reduce` over each window, per channel and sample.
public func referencePool(_ g: WindowGeometry, _ x: [Double], batchSize: Int, _ reduce: ([Double]) -> Double) -> [Double] {
    let (oh, ow) = (g.outputHeight, g.outputWidth)
    var y = [Double]()
    for plane in 0..<(batchSize * g.channels) {
        for oy in 0..<oh {
            for ox in 0..<ow {
                var window = [Double]()
                for i in 0..<g.kernelHeight {
                    for j in 0..<g.kernelWidth {
                        window.append(x[plane * g.height * g.width + (oy * g.stride + i) * g.width + ox * g.stride + j])
                    }
                }
                y.append(reduce(window))
            }
        }
    }
    return y
}

/// The logits of a `Sequential` model in Double, layer by layer through `referenceForward`.
public func referenceLogits(_ model: Sequential, parameters p: [Double], inputs x: [Double], batchSize: Int) -> [Double] {
    var a = x
    for (layer, offset) in zip(model.layers, model.offsets) {
        a = referenceForward(layer, parameters: Array(p[offset..<(offset + layer.parameterCount)]), input: a,
                             batchSize: batchSize)
    }
    return a
}
