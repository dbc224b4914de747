import FedCore

extension Registry {
    /// Where the training data comes from (`dataset.kind`).
    public static let datasets: [DatasetDescriptor] = [
        DatasetDescriptor(name: "digits", summary: "the bundled 8x8 handwritten digits (1,797 images, 10 classes)",
                          rawRange: 0...16) { d, rng in
            var split = rng.derive("split")
            return stratifiedSplit(try DigitsData.load(), testFraction: d.testFraction, rng: &split)
        },
        DatasetDescriptor(
            name: "idx", summary: "MNIST-style IDX files; without a test pair, test_fraction is held out",
            uses: ["train_images", "train_labels", "test_images", "test_labels"], rawRange: 0...255,
            missing: { d in
                guard d.trainImages == nil || d.trainLabels == nil else { return nil }
                return (d.trainImages == nil ? "train_images" : "train_labels",
                        "missing; dataset.kind idx needs train_images and train_labels (IDX files, relative to the scenario file)")
            }
        ) { d, rng in
            let train = try IDXLoader.load(images: d.trainImages ?? "", labels: d.trainLabels ?? "")
            if let ti = d.testImages, let tl = d.testLabels { return (train, try IDXLoader.load(images: ti, labels: tl)) }
            var split = rng.derive("split")
            return stratifiedSplit(train, testFraction: d.testFraction, rng: &split)
        },
        DatasetDescriptor(
            name: "csv", summary: "a CSV file of features and a label column (the last, or `label_column`; `labels: auto` for any labels)",
            uses: ["path", "label_column", "labels"],
            missing: { d in
                d.path == nil ? ("path", "missing; dataset.kind csv needs path: <file.csv>, relative to the scenario file") : nil
            }
        ) { d, rng in
            var split = rng.derive("split")
            return stratifiedSplit(try CSVLoader.load(path: d.path ?? "", labels: d.csvLabels), testFraction: d.testFraction, rng: &split)
        },
        imageFolder("mnist", summary: "MNIST handwritten digits (60,000 + 10,000, 1x28x28) from the IDX files in the folder `path`",
                    files: "the four MNIST IDX files") { d in try MNISTFolder.load(folder: d, name: "mnist") },
        imageFolder("fashion", summary: "Fashion-MNIST (60,000 + 10,000, 1x28x28) from the IDX files in the folder `path`",
                    files: "the four Fashion-MNIST IDX files") { d in try MNISTFolder.load(folder: d, name: "fashion") },
        imageFolder("cifar10", summary: "CIFAR-10 (50,000 + 10,000, 3x32x32) from the binary batches in the folder `path`",
                    files: "data_batch_1.bin ... test_batch.bin") { d in try CIFAR10Loader.load(folder: d) },
        DatasetDescriptor(name: "synthetic", summary: "Gaussian blobs generated from the seed (`dataset.synthetic`)",
                          uses: ["synthetic"]) { d, rng in
            var gen = rng.derive("synthetic")
            var split = rng.derive("split")
            let s = d.synthetic
            let all = GaussianMixture(samples: s.samples, features: s.features, classes: s.classes,
                                      separation: s.separation).generate(rng: &gen)
            return stratifiedSplit(all, testFraction: d.testFraction, rng: &split)
        },
    ]

    /// A published image dataset read from a folder: `path`, else `$FEDSIM_DATA/<name>`
    /// (`scripts/fetch-data <name>` fills it); its own test set; per-channel standardisation.
    private static func imageFolder(_ name: String, summary: String, files: String,
                                    load: @escaping @Sendable (String) throws -> (train: Dataset, test: Dataset)) -> DatasetDescriptor {
        DatasetDescriptor(
            name: name, summary: summary + " (or $FEDSIM_DATA/\(name))", uses: ["path"], dataFolder: name, normalize: .channels,
            rawRange: 0...255,
            missing: { d in
                d.path == nil ? ("path", "missing; dataset.kind \(name) needs path: <folder with \(files)>, relative to the "
                                 + "scenario file, or FEDSIM_DATA=<folder> holding \(name)/ (scripts/fetch-data \(name))") : nil
            }
        ) { d, _ in try load(d.path ?? "") }
    }

    /// How the training set is split over clients (`partition.kind`).
    public static let partitions: [PartitionDescriptor] = [
        PartitionDescriptor(name: "iid", summary: "shuffle and deal equal shares", uses: []) { _ in .iid },
        PartitionDescriptor(name: "dirichlet", summary: "per-class client shares drawn from Dirichlet(alpha): small alpha, skewed labels",
                            uses: ["alpha", "min_samples"]) { p in .dirichlet(alpha: p.alpha, minSamples: p.minSamples) },
        PartitionDescriptor(name: "shards", summary: "shuffle, sort by label, cut into shards, give each client shards_per_client of them",
                            uses: ["shards_per_client"]) { p in .shards(perClient: p.shardsPerClient) },
        PartitionDescriptor(name: "sorted", summary: "shuffle, sort by label, cut into one contiguous chunk per client (client 0 holds the lowest labels)",
                            uses: []) { _ in .sorted },
    ]
}
