/// What one threat evaluation measured after a round: named figures (columns of rounds.csv,
/// summary.json's `evaluations`, compare.csv) and, for the attacks that reconstruct inputs,
/// images for the HTML report.
public struct EvaluationOutcome: Sendable, Equatable {
    /// Figure name -> value; a figure the evaluation declared but could not measure this time
    /// is left out (an empty cell).
    public var figures: [String: Double]
    /// Image panels (originals, reconstructions) in the order the report shows them.
    public var images: [ImagePanel]

    public init(figures: [String: Double] = [:], images: [ImagePanel] = []) {
        self.figures = figures
        self.images = images
    }
}

/// A titled row of images of one shape, each with a caption, on the display scale [0, 1]
/// (`InputDomain.display`): the report draws each as a grid of grey or colour cells.
public struct ImagePanel: Sendable, Equatable, Codable {
    public var title: String
    /// One image's shape, `[C, H, W]` (C = 1 grey, 3 colour).
    public var shape: [Int]
    /// Each image's `C·H·W` values in [0, 1], channel-major.
    public var images: [[Float]]
    /// One caption per image ("7", "PSNR 21.3").
    public var captions: [String]

    public init(title: String, shape: [Int], images: [[Float]], captions: [String]) {
        precondition(shape.count == 3, "ImagePanel: shape must be [C, H, W]; got \(shape)")
        let size = shape.reduce(1, *)
        precondition(images.allSatisfy { $0.count == size }, "ImagePanel \(title): every image needs \(size) values")
        precondition(captions.count == images.count, "ImagePanel \(title): \(captions.count) captions for \(images.count) images")
        self.title = title
        self.shape = shape
        self.images = images
        self.captions = captions
    }
}
