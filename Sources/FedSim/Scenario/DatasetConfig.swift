import FedCore
import Foundation
/// How features are scaled before training.
public enum NormalizeKind: String, CaseIterable, Sendable, Equatable {
    /// Leave features as they are.
    case none
    /// Scale each feature to [0, 1] with the training set's min and max.
    case minmax
    /// Subtract the training mean and divide by the training standard deviation, per feature.
    case standard
    /// Divide by 255 (8-bit pixels to [0, 1]).
    case pixels
    /// Per image channel, subtract the training mean and divide by the training standard deviation.
    case channels
}

/// Parameters of the generated `synthetic` dataset.
public struct SyntheticConfig: Sendable, Equatable {
    /// Number of generated samples (>= classes).
    public var samples: Int
    /// Number of features per sample (>= 1).
    public var features: Int
    /// Number of classes (>= 2).
    public var classes: Int
    /// Distance between class centres in units of the noise standard deviation (>= 0).
    public var separation: Double

    public init(samples: Int = 2000, features: Int = 20, classes: Int = 4, separation: Double = 3.0) {
        self.samples = samples
        self.features = features
        self.classes = classes
        self.separation = separation
    }
}

/// The `dataset:` section. Paths are absolute once read (resolved against the scenario's folder).
public struct DatasetConfig: Sendable, Equatable {
    /// The registered data source (`Registry.datasets`).
    public var kind: String
    /// CSV file (kind `csv`).
    public var path: String?
    /// The CSV file's label column and how its values become classes (kind `csv`;
    /// `label_column`, `labels`). Default: the last column, non-negative integer labels.
    public var csvLabels: CSVLabels = CSVLabels()
    /// IDX files (kind `idx`; the train pair is required, the test pair optional but paired).
    public var trainImages: String?
    public var trainLabels: String?
    public var testImages: String?
    public var testLabels: String?
    public var normalize: NormalizeKind
    /// Share of the data held out for evaluation when there is no explicit test set (0 < x < 1).
    public var testFraction: Double
    public var synthetic: SyntheticConfig

    public init(kind: String = "digits", path: String? = nil,
                trainImages: String? = nil, trainLabels: String? = nil,
                testImages: String? = nil, testLabels: String? = nil,
                normalize: NormalizeKind = .minmax, testFraction: Double = 0.2,
                synthetic: SyntheticConfig = SyntheticConfig()) {
        self.kind = kind
        self.path = path
        self.trainImages = trainImages
        self.trainLabels = trainLabels
        self.testImages = testImages
        self.testLabels = testLabels
        self.normalize = normalize
        self.testFraction = testFraction
        self.synthetic = synthetic
    }
}

extension DatasetConfig {
    /// The data source's registry entry.
    public var descriptor: DatasetDescriptor {
        guard let d = Registry.dataset(kind) else { preconditionFailure("no registered dataset \(kind)") }
        return d
    }
}

// MARK: - Reading and writing

extension SyntheticConfig: ScenarioSection {
    static let key = "synthetic"

    init(reading reader: ScenarioReader) throws {
        self.init(
            samples: try reader.int("samples", default: 2000, range: Interval(1...100_000_000)),
            features: try reader.int("features", default: 20, range: Interval(1...1_000_000)),
            classes: try reader.int("classes", default: 4, range: Interval(2...100_000)),
            separation: try reader.double("separation", default: 3.0, range: .atLeast(0)))
        if samples < classes {
            throw reader.error("samples", "\(samples) is less than synthetic.classes (\(classes)); "
                               + "allowed: samples >= classes")
        }
    }

    var resolvedFields: [(String, ResolvedValue)] {
        [("samples", .int(samples)), ("features", .int(features)), ("classes", .int(classes)),
         ("separation", .number(separation))]
    }
}

extension DatasetConfig: ScenarioSection {
    static let key = "dataset"

    /// The environment variable naming the folder that holds one folder per published dataset
    /// (`mnist/`, `fashion/`, `cifar10/`), read when `dataset.path` is not given.
    public static let dataEnvironment = "FEDSIM_DATA"

    init(reading reader: ScenarioReader) throws {
        let kind = try reader.name("kind", allowed: Registry.datasets.map(\.name), default: "digits")
        let source = Registry.dataset(kind)
        var path = try reader.path("path")
        if path == nil, let folder = source?.dataFolder,
           let root = ProcessInfo.processInfo.environment[Self.dataEnvironment], !root.isEmpty {
            path = ScenarioSource.absolute(root + "/" + folder, relativeTo: FileManager.default.currentDirectoryPath)
        }
        self.init(
            kind: kind,
            path: path,
            trainImages: try reader.path("train_images"),
            trainLabels: try reader.path("train_labels"),
            testImages: try reader.path("test_images"),
            testLabels: try reader.path("test_labels"),
            normalize: try reader.choice("normalize", default: source?.defaultNormalize ?? .minmax),
            testFraction: try reader.double("test_fraction", default: 0.2, range: .open(0, 1)),
            synthetic: try reader.section(SyntheticConfig.self))
        csvLabels = CSVLabels(column: try Self.labelColumn(reader), mode: try reader.choice("labels", default: .integer))
        if let (key, message) = descriptor.missing(self) {
            throw reader.error("kind", message).at("dataset.\(key)")
        }
        if (testImages == nil) != (testLabels == nil) {
            let given = testImages == nil ? "test_labels" : "test_images"
            let missing = testImages == nil ? "test_images" : "test_labels"
            throw reader.error(given, "missing; \(given) is given, so \(missing) is needed too "
                               + "(both or neither)").at("dataset.\(missing)")
        }
    }

    /// `label_column`: an integer is a 0-based index, any other text (or a quoted number) a
    /// header name; absent, the last column.
    private static func labelColumn(_ reader: ScenarioReader) throws -> CSVLabels.Column {
        guard let node = reader.value("label_column") else { return .last }
        if let text = ScenarioReader.plainText(node), let digits = ScenarioReader.integerDigits(text) {
            guard let index = Int(digits), index >= 0 else {
                throw reader.error("label_column", "\(text) is out of range; allowed: a column index >= 0 (0 is the first) or a header name")
            }
            return .index(index)
        }
        guard let name = try reader.string("label_column"), !name.isEmpty else {
            throw reader.error("label_column", "the value is empty; allowed: a column index >= 0 or a header name")
        }
        return .name(name)
    }

    /// `label_column` and `labels` when they differ from the defaults (so that the scenarios
    /// written before these keys keep their fingerprints).
    private var csvLabelFields: [(String, ResolvedValue)] {
        var fields: [(String, ResolvedValue)] = []
        switch csvLabels.column {
        case .last: break
        case let .index(i): fields.append(("label_column", .int(i)))
        case let .name(n): fields.append(("label_column", .string(n)))
        }
        if csvLabels.mode != .integer { fields.append(("labels", .choice(csvLabels.mode))) }
        return fields
    }

    var resolvedFields: [(String, ResolvedValue)] {
        [("kind", .word(kind)), ("path", .string(path))] + csvLabelFields + [
         ("train_images", .string(trainImages)), ("train_labels", .string(trainLabels)),
         ("test_images", .string(testImages)), ("test_labels", .string(testLabels)),
         ("normalize", .choice(normalize)), ("test_fraction", .number(testFraction)),
         ResolvedValue.entry(synthetic)]
    }
}
