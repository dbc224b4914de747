import FedCore
import Foundation

/// The session document of protocol version 2: the UTF-8 JSON that WELCOME carries in its third
/// frame (docs/PROTOCOL.md section 4b). It tells a client written in any language everything a
/// Swift client derives from the scenario file: the model's parameter layout (named blocks,
/// shapes, offsets, row-major storage, and what each block is in PyTorch), the training
/// settings, each accepted logical client's shard (rows of the named dataset, the normaliser,
/// a CRC-32 of the shard's bytes) and the liveness timings.
///
/// Keys are sorted and the document is built from the coordinator's own `FederationData`,
/// so it states what the coordinator will check (`samples` = the shard's size) and what a
/// Swift client trains on.
struct SessionDocument: Encodable {
    /// The PyTorch tensor a block maps to: its shape there, and how to get it from fedsim's
    /// storage (`transpose`: a dense weight is stored `[in, out]`, `nn.Linear.weight` is
    /// `[out, in]`; `none`: same layout).
    struct TorchView: Encodable {
        let shape: [Int]
        let transform: String
    }

    struct Block: Encodable {
        let name: String
        let offset: Int
        let count: Int
        let shape: [Int]
        let order: String
        let pytorch: TorchView
    }

    /// One layer of a `Sequential` model (`kind: cnn` or `layers`), in order: its kind, one
    /// sample's input and output shapes, and its sizes (`channels`, `kernel`, `stride`,
    /// `padding` of a convolution or pooling window; `p` of dropout). The last layer is the
    /// dense output layer.
    struct LayerEntry: Encodable {
        let kind: String
        let inputShape: [Int]
        let outputShape: [Int]
        var channels: Int?
        var kernel: Int?
        var stride: Int?
        var padding: Int?
        var p: Double?

        enum CodingKeys: String, CodingKey {
            case kind, channels, kernel, stride, padding, p
            case inputShape = "input_shape", outputShape = "output_shape"
        }

        init(_ layer: any Layer) {
            kind = layer.kind
            inputShape = layer.inputShape
            outputShape = layer.outputShape
            if let c = layer as? Conv2D {
                (channels, kernel, stride, padding) = (c.outChannels, c.geometry.kernelHeight, c.geometry.stride, c.geometry.padding)
            } else if let m = layer as? MaxPool2D {
                (kernel, stride) = (m.geometry.kernelHeight, m.geometry.stride)
            } else if let a = layer as? AvgPool2D {
                (kernel, stride) = (a.geometry.kernelHeight, a.geometry.stride)
            } else if let d = layer as? Dropout {
                p = d.p
            }
        }
    }

    struct ModelPart: Encodable {
        let kind: String
        let parameterCount: Int
        let inputShape: [Int]
        let classes: Int
        /// MLP hidden widths (empty for logistic regression; absent for other kinds).
        let hidden: [Int]?
        /// The layers of a `Sequential` model (absent for logistic regression and the MLP).
        let layers: [LayerEntry]?
        let blocks: [Block]

        enum CodingKeys: String, CodingKey {
            case kind, classes, hidden, layers, blocks
            case parameterCount = "parameter_count", inputShape = "input_shape"
        }
    }

    struct Training: Encodable {
        let mode: String
        let learningRate: Float
        let localEpochs: Int
        let batchSize: Int
        let weightDecay: Float
        let momentum: Float
        /// `local` (heavy ball inside one round) or `worker` (a buffer kept across rounds,
        /// carried in TASK and UPDATE state frames, PROTOCOL.md 4a).
        let momentumBuffer: String
        let momentumDampening: Bool
        let serverLearningRate: Double
        let loss: String
        let seed: UInt64
        let shuffle: String
        let fedsgdBatches: String

        enum CodingKeys: String, CodingKey {
            case mode, momentum, loss, seed, shuffle
            case learningRate = "learning_rate", localEpochs = "local_epochs", batchSize = "batch_size"
            case weightDecay = "weight_decay", serverLearningRate = "server_learning_rate"
            case momentumBuffer = "momentum_buffer", momentumDampening = "momentum_dampening"
            case fedsgdBatches = "fedsgd_batches"
        }
    }

    struct Normalization: Encodable {
        let kind: String
        let offset: [Float]
        let scale: [Float]
    }

    struct ClientShard: Encodable {
        let id: Int
        let samples: Int
        let rows: [Int]
        let crc32: UInt32
    }

    struct DataPart: Encodable {
        let kind: String
        let name: String
        let path: String?
        let split: String
        let testFraction: Double
        let shape: [Int]
        let classes: Int
        let classNames: [String]?
        let normalization: Normalization
        let digest: String
        let clients: [ClientShard]

        enum CodingKeys: String, CodingKey {
            case kind, name, path, split, shape, classes, normalization, digest, clients
            case testFraction = "test_fraction", classNames = "class_names"
        }
    }

    struct Liveness: Encodable {
        let heartbeatInterval: Double
        let silenceTimeout: Double
        let helloRetry: Double
        let startupTimeout: Double
        let roundDeadline: Double

        enum CodingKeys: String, CodingKey {
            case heartbeatInterval = "heartbeat_interval", silenceTimeout = "silence_timeout"
            case helloRetry = "hello_retry", startupTimeout = "startup_timeout", roundDeadline = "round_deadline"
        }
    }

    let protocolVersion: Int
    let fingerprint: String
    let scenario: String
    let model: ModelPart
    let training: Training
    let data: DataPart
    let liveness: Liveness

    enum CodingKeys: String, CodingKey {
        case fingerprint, scenario, model, training, data, liveness
        case protocolVersion = "protocol"
    }

    /// Seconds between HEARTBEATs of an idle side, and between a client's HELLOs until it is welcomed.
    static let heartbeatInterval = 1.0
    static let helloRetry = 2.0

    /// The document for the accepted logical clients `ids` of `scenario` on `data`.
    init(scenario: Scenario, data: FederationData, ids: [Int], shards: inout [Int: ClientShard]) {
        let f = scenario.federation
        protocolVersion = 2
        fingerprint = "0x" + hex(scenario.fingerprint)
        self.scenario = scenario.name
        let m = data.model
        model = ModelPart(
            kind: scenario.model.kind, parameterCount: m.parameterCount, inputShape: data.train.shape, classes: m.classes,
            hidden: (m as? MLP)?.hidden ?? ((m is LogisticRegression) ? [] : nil),
            layers: (m as? Sequential)?.layers.map(LayerEntry.init),
            blocks: m.parameterBlocks.map(Self.block))
        training = Training(
            mode: f.mode.rawValue, learningRate: Float(f.learningRate), localEpochs: f.localEpochs, batchSize: f.batchSize,
            weightDecay: Float(f.weightDecay), momentum: Float(f.momentum),
            momentumBuffer: f.momentumBuffer.rawValue, momentumDampening: f.momentumDampening,
            serverLearningRate: f.serverLearningRate,
            loss: "softmax_cross_entropy_mean", seed: scenario.seed,
            shuffle: "fisher_yates(xoshiro256starstar(derive(seed, \"train\", round, client)))",
            fedsgdBatches: "minibatch_schedule(derive(seed, \"fedsgd\", client), step = round - 1)")
        let d = scenario.dataset
        let normalizer = data.normalizer
        var shardList: [ClientShard] = []
        for id in ids.sorted() {
            if let cached = shards[id] { shardList.append(cached); continue }
            let local = data.clientData(id)
            let rows = data.partition.clientIndices[id].map(data.train.sourceRow)
            let shard = ClientShard(id: id, samples: local.count, rows: rows, crc32: Self.crc32(local))
            shards[id] = shard
            shardList.append(shard)
        }
        self.data = DataPart(
            kind: d.kind, name: data.train.name, path: d.path, split: data.train.sourceRows == nil ? "train" : "all",
            testFraction: d.testFraction, shape: data.train.shape, classes: max(data.train.classes, data.test.classes),
            classNames: data.train.classNames,
            normalization: Normalization(kind: normalizer?.kind.rawValue ?? "none", offset: normalizer?.offset ?? [],
                                         scale: normalizer?.scale ?? []),
            digest: "crc32(features f32le, then labels i32le)", clients: shardList)
        liveness = Liveness(heartbeatInterval: Self.heartbeatInterval, silenceTimeout: f.heartbeatTimeout,
                            helloRetry: Self.helloRetry, startupTimeout: f.startupTimeout, roundDeadline: f.deadline)
    }

    /// The JSON text (sorted keys, no whitespace).
    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain structs of numbers and strings cannot fail.
        let bytes = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A parameter block and its PyTorch view: dense weights (2-D `[in, out]`) transpose to
    /// `nn.Linear`'s `[out, in]`; biases and convolution kernels (`[out, in, kh, kw]`, as
    /// `nn.Conv2d`) keep their layout.
    static func block(_ b: ParameterBlock) -> Block {
        let transpose = b.shape.count == 2 && b.name.hasSuffix(".weight")
        return Block(name: b.name, offset: b.range.lowerBound, count: b.range.count, shape: b.shape, order: "row-major",
                     pytorch: TorchView(shape: transpose ? [b.shape[1], b.shape[0]] : b.shape,
                                        transform: transpose ? "transpose" : "none"))
    }

    /// CRC-32 (zlib) of the shard's features as little-endian Float32, continued over its
    /// labels as little-endian Int32: what a foreign client computes to check it holds the shard.
    static func crc32(_ data: Dataset) -> UInt32 {
        let c = data.features.withUnsafeBytes { CRC32.checksum($0) }
        return data.labels.withUnsafeBytes { CRC32.checksum($0, start: c) }
    }
}
