@testable import FedEval
import XCTest

final class ImageSimilarityTests: XCTestCase {
    func testMSEAndPSNR() {
        XCTAssertEqual(ImageSimilarity.mse([0, 1, 0.5, 0.5], [0, 0.9, 0.5, 0.7]), (0.01 + 0.04) / 4, accuracy: 1e-9)
        XCTAssertEqual(ImageSimilarity.psnr(mse: 0.01), 20, accuracy: 1e-12)
        XCTAssertEqual(ImageSimilarity.psnr(mse: 1), 0, accuracy: 1e-12)
        XCTAssertEqual(ImageSimilarity.psnr([0.25, 0.25], [0.25, 0.25]), 100)   // capped
    }

    /// Constant images a and b have no variance: SSIM = (2ab + C1) / (a² + b² + C1) at every window.
    func testConstantImagesAndIdentity() {
        let c1 = 0.0001
        for (a, b) in [(0.2, 0.6), (1.0, 0.0), (0.5, 0.5)] {
            for side in [8, 12] {
                let x = [Float](repeating: Float(a), count: side * side)
                let y = [Float](repeating: Float(b), count: side * side)
                let expected = (2 * a * b + c1) / (a * a + b * b + c1)
                XCTAssertEqual(ImageSimilarity.ssim(x, y, shape: [1, side, side]), expected, accuracy: 1e-5, "\(a) \(b) \(side)")
            }
        }
        let img: [Float] = (0..<128).map { Float(($0 * 29) % 17) / 16 }
        XCTAssertEqual(ImageSimilarity.ssim(img, img, shape: [2, 8, 8]), 1, accuracy: 1e-9)
        // An inverted image is anti-correlated: SSIM below 0.
        XCTAssertLessThan(ImageSimilarity.ssim(img, img.map { 1 - $0 }, shape: [2, 8, 8]), 0)
    }

    /// The 7x7 uniform window on 8x8 fits at 2x2 positions; a one-pixel change inside only the
    /// first window lowers that window's score alone, so SSIM stays above 3/4.
    func testWindowsAndSymmetry() {
        XCTAssertEqual(ImageSimilarity.window(height: 8, width: 8).size.0, 7)
        XCTAssertEqual(ImageSimilarity.window(height: 28, width: 28).size.0, 11)
        XCTAssertEqual(ImageSimilarity.window(height: 28, width: 28).weights.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(ImageSimilarity.window(height: 28, width: 28).weights[60], ImageSimilarity.window(height: 28, width: 28).weights.max())
        let a: [Float] = (0..<64).map { Float(($0 * 13) % 11) / 10 }
        var b = a
        b[0] = 1 - b[0]
        let s = ImageSimilarity.ssim(a, b, shape: [1, 8, 8])
        XCTAssertGreaterThan(s, 0.75)
        XCTAssertLessThan(s, 1)
        XCTAssertEqual(s, ImageSimilarity.ssim(b, a, shape: [1, 8, 8]), accuracy: 1e-12)
    }
}
