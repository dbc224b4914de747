#if canImport(Glibc)
import Glibc
#endif

/// MNIST (LeCun, Cortes & Burges) and Fashion-MNIST (Xiao, Rasul & Vollgraf, arXiv 1708.07747,
/// 2017) from a folder holding their four IDX files, gzipped or not, under the names both
/// distributions use:
///
///     train-images-idx3-ubyte   train-labels-idx1-ubyte   (60,000 images of 28 x 28)
///     t10k-images-idx3-ubyte    t10k-labels-idx1-ubyte    (10,000)
///
/// each also found as `<name>.gz`, and with a dot before `idx` (`train-images.idx3-ubyte`, as
/// some mirrors unpack them). Stricter than `IDXLoader` alone: images must be 28 x 28, labels in
/// 0...9, and the sample counts those of the distribution (`expected`; tests pass smaller ones).
/// Each sample has shape [1, 28, 28] and raw pixel values 0...255.
public enum MNISTFolder {
    /// The four files' stems: (train images, train labels, test images, test labels).
    public static let stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// The published sizes of both MNIST and Fashion-MNIST.
    public static let standardCounts = (train: 60_000, test: 10_000)

    /// The train and test sets in `folder`, named `name` ("mnist", "fashion").
    ///
    /// - Throws: `DataError.missingFile` naming the file and where it looked, the IDX loader's
    ///   errors for a damaged file, `DataError.unexpectedShape` / `.labelRange` / `.sampleCount`
    ///   for files that are well-formed but not MNIST's.
    public static func load(folder: String, name: String,
                            expected: (train: Int, test: Int)? = standardCounts) throws -> (train: Dataset, test: Dataset) {
        let files = try stems.map { try find($0, in: folder) }
        var train = try IDXLoader.load(images: files[0], labels: files[1])
        var test = try IDXLoader.load(images: files[2], labels: files[3])
        for (data, images, labels, count) in [(train, files[0], files[1], expected?.train), (test, files[2], files[3], expected?.test)] {
            guard data.shape == [1, 28, 28] else {
                throw DataError.unexpectedShape(file: images, expected: [1, 28, 28], got: data.shape)
            }
            if let i = data.labels.firstIndex(where: { $0 > 9 }) {
                throw DataError.labelRange(file: labels, index: i, label: Int(data.labels[i]), classes: 10)
            }
            if let count, data.count != count {
                throw DataError.sampleCount(file: images, expected: count, got: data.count)
            }
        }
        train.name = name
        test.name = name
        return (train, test)
    }

    /// The path of the file `stem` in `folder`: the first of `stem`, `stem.gz` and the dotted
    /// spellings that exists.
    static func find(_ stem: String, in folder: String) throws -> String {
        let dotted = stem.replacingFirst("-idx", with: ".idx")
        let candidates = [stem, stem + ".gz", dotted, dotted + ".gz"]
        for c in candidates where access(folder + "/" + c, F_OK) == 0 { return folder + "/" + c }
        throw DataError.missingFile(folder: folder, file: stem, looked: candidates)
    }
}

extension String {
    /// `self` with its first occurrence of `target` replaced (unchanged when there is none).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        let s = Array(self.utf8), t = Array(target.utf8)
        guard !t.isEmpty, s.count >= t.count else { return self }
        for i in 0...(s.count - t.count) where Array(s[i..<(i + t.count)]) == t {
            return String(decoding: s[..<i] + Array(replacement.utf8) + s[(i + t.count)...], as: UTF8.self)
        }
        return self
    }
}
