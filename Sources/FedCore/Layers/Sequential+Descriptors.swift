// MARK: - Layer items (`model.layers`)

extension LayerSpec {
    /// The kinds a `layers:` list may hold, with their keys.
    public static let itemKinds: [ItemKind] = [
        ItemKind("conv", value: .integer(Interval(1...4096)), options: [
            Parameter("kernel", .integer(Interval(1...64)), default: .int(3), doc: "square kernel size"),
            Parameter("stride", .integer(Interval(1...64)), default: .int(1), doc: "stride"),
            Parameter("padding", .integer(Interval(0...64)), default: .int(0), doc: "zero padding on each side"),
        ], doc: "2-D convolution with this many output channels (im2col + sgemm)"),
        ItemKind("maxpool", value: .integer(Interval(1...64)), default: .int(2), options: [
            Parameter("stride", .integer(Interval(1...64)), default: .null, doc: "stride (default: the window size)"),
        ], doc: "max pooling over size x size windows"),
        ItemKind("avgpool", value: .integer(Interval(1...64)), default: .int(2), options: [
            Parameter("stride", .integer(Interval(1...64)), default: .null, doc: "stride (default: the window size)"),
        ], doc: "average pooling over size x size windows"),
        ItemKind("dense", value: .integer(Interval(1...1_000_000)), doc: "fully connected layer with this many units"),
        ItemKind("relu", doc: "max(x, 0)"),
        ItemKind("flatten", doc: "[C, H, W] -> [C*H*W]"),
        ItemKind("dropout", value: .number(.closedOpen(0, 1)), default: .number(0.5),
                 doc: "inverted dropout with this drop probability, training only"),
    ]

    /// The spec of a `layers:` item read by the scenario reader.
    public init(item: ParameterItem) {
        switch item.kind {
        case "conv":
            self = .conv(channels: item.int("conv"), kernel: item.int("kernel"), stride: item.int("stride"),
                         padding: item.int("padding"))
        case "maxpool": self = .maxpool(size: item.int("maxpool"), stride: item.optionalInt("stride"))
        case "avgpool": self = .avgpool(size: item.int("avgpool"), stride: item.optionalInt("stride"))
        case "dense": self = .dense(outputs: item.int("dense"))
        case "relu": self = .relu
        case "flatten": self = .flatten
        case "dropout": self = .dropout(p: item.double("dropout"))
        default: preconditionFailure("no layer kind \(item.kind)")
        }
    }

    /// The layers of `kind: cnn` (the PyTorch MNIST example's order):
    ///
    ///     for c in conv:  conv(c, kernel, padding), relu
    ///     maxpool(pool)                 (left out when pool = 1)
    ///     dropout(p)                    (when dropout > 0)
    ///     flatten
    ///     for h in dense: dense(h), relu, dropout(p) (when dropout > 0)
    ///     dense(classes)                (the output layer)
    ///
    /// ALL convolutions come first, then ONE pooling layer. With `conv: [32, 64], kernel: 3,
    /// pool: 2, dense: [128]` on 1x28x28 (MNIST) this is the network of the PyTorch MNIST
    /// example and of Karimireddy, He & Jaggi (ICLR 2022): 28 -> 26 -> 24, pooled to 12, so
    /// 64 * 12 * 12 = 9216 features into dense 128, and 1,199,882 parameters. (Pooling after
    /// each convolution would give 64 * 5 * 5 = 1600 features and about 225k parameters.)
    public static func cnn(conv: [Int], kernel: Int, padding: Int = 0, pool: Int, dense: [Int], dropout: Double = 0,
                           classes: Int) -> [LayerSpec] {
        var specs = [LayerSpec]()
        for c in conv { specs += [.conv(channels: c, kernel: kernel, padding: padding), .relu] }
        if pool > 1 { specs.append(.maxpool(size: pool)) }
        if dropout > 0 { specs.append(.dropout(p: dropout)) }
        specs.append(.flatten)
        for h in dense {
            specs += [.dense(outputs: h), .relu]
            if dropout > 0 { specs.append(.dropout(p: dropout)) }
        }
        specs.append(.dense(outputs: classes))
        return specs
    }
}

// MARK: - Descriptors

extension Sequential {
    private static func initParameter(default scheme: InitScheme) -> Parameter {
        Parameter("init", .choice(InitScheme.names), default: .word(scheme.rawValue),
                  doc: "weight initialisation: pytorch (U(+-1/sqrt(fan_in)) weights and biases), he, xavier or zeros "
                      + "(docs/ALGORITHMS.md)")
    }

    /// `kind: cnn`: convolutions, one max-pool, dense layers (see `LayerSpec.cnn`).
    public static let cnnDescriptor = ModelDescriptor(
        name: "cnn",
        summary: "convolutional net for images [C, H, W]: conv+ReLU layers, one max-pool, dense+ReLU layers, "
            + "a linear softmax layer (PyTorch MNIST-example order)",
        parameters: [
            Parameter("conv", .integers(element: Interval(1...4096), count: 1...8), default: .ints([32, 64]),
                      doc: "output channels of each convolution (stride 1), input to output"),
            Parameter("kernel", .integer(Interval(1...64)), default: .int(3), doc: "square kernel size of every convolution"),
            Parameter("padding", .integer(Interval(0...64)), default: .int(0), doc: "zero padding of every convolution"),
            Parameter("pool", .integer(Interval(1...64)), default: .int(2),
                      doc: "max-pool window (and stride) after the last convolution; 1: no pooling"),
            Parameter("dense", .integers(element: Interval(1...1_000_000), count: 0...8), default: .ints([128]),
                      doc: "hidden dense widths after flattening, before the output layer"),
            Parameter("dropout", .number(.closedOpen(0, 1)), default: .number(0),
                      doc: "dropout probability after the pool and after each hidden dense layer (training only); 0: none"),
            initParameter(default: .pytorch),
        ]
    ) { values, shape, classes throws(ParameterError) in
        guard shape.count == 3 else {
            throw ParameterError(key: "kind", "cnn needs images of shape [C, H, W]; the dataset gives samples of shape "
                                 + "\(LayerSpec.text(shape))" + (shape.count == 1 ? " (flat features): use mlp, or image data" : ""))
        }
        let specs = LayerSpec.cnn(conv: values.ints("conv"), kernel: values.int("kernel"), padding: values.int("padding"),
                                  pool: values.int("pool"), dense: values.ints("dense"), dropout: values.double("dropout"),
                                  classes: classes)
        do throws(LayerSpecError) {
            return try Sequential(inputShape: shape, layers: specs, classes: classes,
                                  initScheme: InitScheme(rawValue: values.word("init")) ?? .pytorch)
        } catch {
            throw ParameterError(key: "kernel", "cnn on samples of shape \(LayerSpec.text(shape)): \(error.message)")
        }
    }

    /// `kind: layers`: a free-form list of layers, then the output layer.
    public static let layersDescriptor = ModelDescriptor(
        name: "layers",
        summary: "the layers listed, in order, then a linear softmax layer (dense to the classes)",
        parameters: [
            Parameter("layers", .items(LayerSpec.itemKinds, count: 0...64), default: .items([]),
                      doc: "e.g. [{conv: 32, kernel: 3}, relu, {maxpool: 2}, flatten, {dense: 128}, relu]; "
                          + "[] is softmax regression on the flattened input"),
            initParameter(default: .pytorch),
        ]
    ) { values, shape, classes throws(ParameterError) in
        let specs = values.items("layers").map(LayerSpec.init(item:)) + [.dense(outputs: classes)]
        do throws(LayerSpecError) {
            return try Sequential(inputShape: shape, layers: specs, classes: classes,
                                  initScheme: InitScheme(rawValue: values.word("init")) ?? .pytorch)
        } catch {
            throw ParameterError(key: error.index.map { "layers[\($0)]" } ?? "layers",
                                 "on samples of shape \(LayerSpec.text(shape)): \(error.message)")
        }
    }
}
