import Foundation

/// The UCI "Optical Recognition of Handwritten Digits" dataset (Alpaydin & Kaynak, 1998,
/// CC BY 4.0), 1,797 images of 8x8 pixels, embedded in the binary so that the default
/// scenario trains on real data with nothing to download.
///
/// Each sample has 64 features, the raw pixel counts in 0...16 (row-major 8x8, shape `[1, 8, 8]`), and a label in
/// 0...9; `classes` is 10 and `name` is `"digits"`. Features are NOT normalised here: fit a
/// `Normalizer` on the training split (or divide by 16) as the scenario asks.
///
/// The bytes are `data/digits.csv.gz` (the copy scikit-learn ships), base64-encoded into
/// `DigitsData+Embedded.swift` by `scripts/embed-digits`.
public enum DigitsData {
    /// Number of samples in the embedded dataset.
    public static let sampleCount = 1797
    /// Features per sample (8x8 pixels).
    public static let dimension = 64

    /// Decodes the embedded copy: base64 -> gunzip -> CSV.
    ///
    /// - Throws: `DataError` only if the embedded data is damaged (a build problem).
    public static func load() throws -> Dataset {
        let source = "DigitsData+Embedded.swift"
        guard let data = Data(base64Encoded: gzippedBase64, options: .ignoreUnknownCharacters) else {
            throw DataError.gzip(file: source, reason: "embedded base64 does not decode")
        }
        let gz = [UInt8](data)
        guard gz.count == gzippedByteCount else {
            throw DataError.gzip(file: source,
                                 reason: "embedded data decodes to \(gz.count) bytes, expected \(gzippedByteCount)")
        }
        let csv = try Gzip.decompress(gz, name: source)
        let flat = try CSVLoader.parse(bytes: csv, name: source, datasetName: "digits")
        return Dataset(features: flat.features, labels: flat.labels, dimension: dimension, shape: [1, 8, 8],
                       classes: flat.classes, name: "digits")
    }
}
