/// The geometry of a 2-D convolution or pooling window over one `[C, H, W]` sample:
///
///     OH = (H + 2 * padding - kh) / stride + 1,    OW = (W + 2 * padding - kw) / stride + 1
///
/// (floor division, as PyTorch's `Conv2d` and `MaxPool2d` with `ceil_mode = False`).
public struct WindowGeometry: Sendable, Equatable {
    /// The input's shape, `[C, H, W]`.
    public var inputShape: [Int] { [channels, height, width] }
    /// The output's shape with `outChannels` channels (a pooling layer keeps `channels`).
    public func outputShape(channels outChannels: Int? = nil) -> [Int] { [outChannels ?? channels, outputHeight, outputWidth] }
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let stride: Int
    public let padding: Int

    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                stride: Int = 1, padding: Int = 0) {
        precondition(channels > 0 && height > 0 && width > 0, "window over an empty image \(channels)x\(height)x\(width)")
        precondition(kernelHeight > 0 && kernelWidth > 0 && stride > 0 && padding >= 0,
                     "window \(kernelHeight)x\(kernelWidth), stride \(stride), padding \(padding)")
        precondition(kernelHeight <= height + 2 * padding && kernelWidth <= width + 2 * padding,
                     "window \(kernelHeight)x\(kernelWidth) larger than the padded image \(height)x\(width) + \(padding)")
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
    }

    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// `OH * OW`: output positions per channel.
    public var positions: Int { outputHeight * outputWidth }
    /// `C * kh * kw`: rows of the im2col matrix (a convolution's `fan_in`).
    public var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// `C * H * W`.
    public var inputCount: Int { channels * height * width }
}

// MARK: - im2col / col2im

/// Unfolds one sample `x` (`[C, H, W]`) into the patch matrix `cols` (`patchSize x positions`,
/// row-major), so that a convolution becomes one matrix product `Y = W cols`:
///
///     cols[(c * kh + i) * kw + j, oy * OW + ox] = x[c, oy * s + i - p, ox * s + j - p]
///
/// (0 outside the image: zero padding). Rows are ordered like PyTorch's weight
/// `[out, in, kh, kw]` flattened to `[out, in * kh * kw]` (Chellapilla et al., 2006, "High
/// performance convolutional neural networks for document processing").
public func im2col(_ x: UnsafeBufferPointer<Float>, geometry g: WindowGeometry, cols: UnsafeMutableBufferPointer<Float>) {
    precondition(x.count >= g.inputCount && cols.count >= g.patchSize * g.positions, "im2col: buffer sizes")
    guard let xs = x.baseAddress, let cs = cols.baseAddress else { return }
    let oh = g.outputHeight, ow = g.outputWidth, n = g.positions
    let contiguous = g.stride == 1 && g.padding == 0
    var row = 0
    for c in 0..<g.channels {
        for i in 0..<g.kernelHeight {
            for j in 0..<g.kernelWidth {
                let base = cs + row * n
                for oy in 0..<oh {
                    let y = oy * g.stride + i - g.padding
                    let dst = base + oy * ow
                    if y < 0 || y >= g.height {
                        dst.update(repeating: 0, count: ow)
                        continue
                    }
                    let src = xs + (c * g.height + y) * g.width
                    if contiguous {
                        dst.update(from: src + j, count: ow)   // one row of the patch: a memcpy
                    } else {
                        for ox in 0..<ow {
                            let xx = ox &* g.stride &+ j &- g.padding
                            dst[ox] = (xx >= 0 && xx < g.width) ? src[xx] : 0
                        }
                    }
                }
                row += 1
            }
        }
    }
}

/// The adjoint of `im2col`: adds every entry of `cols` back onto the input position it was
/// copied from (`dx` is overwritten, then accumulated; padded positions are dropped). With
/// `dcols = W^T dY` this is a convolution's input gradient.
public func col2im(_ cols: UnsafeBufferPointer<Float>, geometry g: WindowGeometry, dx: UnsafeMutableBufferPointer<Float>) {
    precondition(dx.count >= g.inputCount && cols.count >= g.patchSize * g.positions, "col2im: buffer sizes")
    guard let cs = cols.baseAddress, let ds = dx.baseAddress else { return }
    let oh = g.outputHeight, ow = g.outputWidth, n = g.positions
    ds.update(repeating: 0, count: g.inputCount)
    let contiguous = g.stride == 1 && g.padding == 0
    var row = 0
    for c in 0..<g.channels {
        for i in 0..<g.kernelHeight {
            for j in 0..<g.kernelWidth {
                let base = cs + row * n
                for oy in 0..<oh {
                    let y = oy * g.stride + i - g.padding
                    guard y >= 0 && y < g.height else { continue }
                    let src = base + oy * ow
                    let dst = ds + (c * g.height + y) * g.width
                    if contiguous {
                        let d = dst + j
                        for ox in 0..<ow { d[ox] += src[ox] }
                    } else {
                        for ox in 0..<ow {
                            let xx = ox &* g.stride &+ j &- g.padding
                            if xx >= 0 && xx < g.width { dst[xx] += src[ox] }
                        }
                    }
                }
                row += 1
            }
        }
    }
}
