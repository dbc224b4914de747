/// A layer as a scenario describes it, before the input shape is known: `{conv: 32, kernel: 3}`,
/// `relu`, `{maxpool: 2}`, `flatten`, `{dense: 128}`, `{dropout: 0.25}`, `{avgpool: 2}`.
/// `layer(inputShape:)` builds the concrete layer and checks that it fits the shape.
public enum LayerSpec: Sendable, Equatable, CustomStringConvertible {
    /// `Conv2D` with `channels` output channels, a square `kernel`, `stride` and zero `padding`.
    case conv(channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0)
    /// `MaxPool2D` over `size x size` windows; stride `size` when nil.
    case maxpool(size: Int, stride: Int? = nil)
    /// `AvgPool2D` over `size x size` windows; stride `size` when nil.
    case avgpool(size: Int, stride: Int? = nil)
    /// `Dense` with `outputs` units (a multi-dimensional input is read flattened).
    case dense(outputs: Int)
    case relu
    case flatten
    /// `Dropout` with drop probability `p` (training only).
    case dropout(p: Double)

    public var description: String {
        switch self {
        case let .conv(c, k, s, p): return "conv \(c), kernel \(k)" + (s == 1 ? "" : ", stride \(s)") + (p == 0 ? "" : ", padding \(p)")
        case let .maxpool(k, s): return "maxpool \(k)" + (s.map { ", stride \($0)" } ?? "")
        case let .avgpool(k, s): return "avgpool \(k)" + (s.map { ", stride \($0)" } ?? "")
        case let .dense(o): return "dense \(o)"
        case .relu: return "relu"
        case .flatten: return "flatten"
        case let .dropout(p): return "dropout \(p)"
        }
    }

    /// The layer for inputs of one sample's `shape`; throws a one-line reason (with the shape
    /// and the sizes) when it does not fit: a convolution or pooling on flat features, a
    /// window larger than the (padded) image.
    public func layer(inputShape shape: [Int]) throws(LayerSpecError) -> any Layer {
        switch self {
        case let .conv(channels, kernel, stride, padding):
            let g = try window(shape, kernel: kernel, stride: stride, padding: padding)
            return Conv2D(input: g, outChannels: channels)
        case let .maxpool(size, stride):
            return MaxPool2D(input: try window(shape, kernel: size, stride: stride ?? size, padding: 0))
        case let .avgpool(size, stride):
            return AvgPool2D(input: try window(shape, kernel: size, stride: stride ?? size, padding: 0))
        case let .dense(outputs): return Dense(inputShape: shape, outputs: outputs)
        case .relu: return ReLU(shape: shape)
        case .flatten: return Flatten(shape: shape)
        case let .dropout(p): return Dropout(shape: shape, p: p)
        }
    }

    private func window(_ shape: [Int], kernel: Int, stride: Int, padding: Int) throws(LayerSpecError) -> WindowGeometry {
        guard shape.count == 3 else {
            throw LayerSpecError("\(self) needs images of shape [C, H, W]; its input has shape \(Self.text(shape))"
                                 + (shape.count == 1 ? " (flat features)" : ""))
        }
        let (c, h, w) = (shape[0], shape[1], shape[2])
        guard kernel <= h + 2 * padding && kernel <= w + 2 * padding else {
            throw LayerSpecError("\(self): the \(kernel)x\(kernel) window is larger than its input \(c)x\(h)x\(w)"
                                 + (padding == 0 ? "" : " padded by \(padding)"))
        }
        return WindowGeometry(channels: c, height: h, width: w, kernelHeight: kernel, kernelWidth: kernel,
                              stride: stride, padding: padding)
    }

    static func text(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
}

/// Why a layer does not fit its input, in one line with the sizes.
public struct LayerSpecError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// The position of the layer in the list, when known.
    public var index: Int?

    public init(_ message: String, index: Int? = nil) {
        self.message = message
        self.index = index
    }

    public var description: String { message }
}
