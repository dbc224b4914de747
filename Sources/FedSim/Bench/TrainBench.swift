import FedCore
import Foundation

/// Times forward + backward of a model on random batches (`fedsim bench train`).
///
/// Method: the model is `kind: cnn` with its scenario defaults (`conv: [32, 64], kernel: 3,
/// pool: 2, dense: [128]`, i.e. the MNIST CNN of the PyTorch example and Karimireddy, He &
/// Jaggi, ICLR 2022: 1,199,882 parameters) on 1x28x28 inputs and 10 classes, initialised with
/// its default (`pytorch`). Inputs are uniform in [0, 1) and labels uniform over the classes,
/// from `seed`, generated once and not timed. For each batch size, one `ModelWorkspace` is
/// reused (as `trainLocally` does); `warmup` untimed calls, then `repeats` timed calls of
/// `lossAndGradients` with the parameter gradient (no input gradient, evaluation-mode dropout:
/// there is none in this net), each on the monotonic clock. Reported: the best and the median
/// time per batch and images per second from each (`batch / seconds`).
public enum TrainBench {
    public struct Configuration: Sendable, Equatable {
        public var batchSizes: [Int]
        public var repeats: Int
        public var warmup: Int
        public var seed: UInt64
        /// OpenBLAS threads (0: the library's default).
        public var threads: Int
        /// One sample's shape.
        public var shape: [Int]

        public init(batchSizes: [Int] = [32, 128], repeats: Int = 10, warmup: Int = 2, seed: UInt64 = 1,
                    threads: Int = 1, shape: [Int] = [1, 28, 28]) {
            self.batchSizes = batchSizes
            self.repeats = repeats
            self.warmup = warmup
            self.seed = seed
            self.threads = threads
            self.shape = shape
        }

        /// Throws when a setting is out of range.
        public func validate() throws(BenchError) {
            guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 >= 1 }) else {
                throw .invalid("--batch needs one or more sizes >= 1; got \(batchSizes)")
            }
            guard repeats >= 1 else { throw .invalid("--repeat must be at least 1; got \(repeats)") }
            guard warmup >= 0 else { throw .invalid("--warmup must be at least 0; got \(warmup)") }
            guard threads >= 0 else { throw .invalid("--threads must be at least 0; got \(threads)") }
            guard shape.count == 3, shape.allSatisfy({ $0 >= 1 }) else {
                throw .invalid("--shape needs C,H,W (three sizes >= 1); got \(shape)")
            }
        }
    }

    public struct Result: Sendable {
        public var model: String
        public var parameters: Int
        public var batchSize: Int
        public var timesMs: [Double]
        public var bestMs: Double
        public var medianMs: Double
        public var threads: Int
        public var shape: [Int]

        /// Images per second at the best and the median time.
        public var bestImagesPerSecond: Double { Double(batchSize) / (bestMs / 1000) }
        public var medianImagesPerSecond: Double { Double(batchSize) / (medianMs / 1000) }
    }

    /// The benchmarked model (the `cnn` defaults) for `shape` and 10 classes.
    public static func model(shape: [Int]) throws -> any Model {
        try Sequential.cnnDescriptor.make(Sequential.cnnDescriptor.defaults, inputShape: shape, classes: 10)
    }

    /// Runs every batch size in order, calling `progress` after each.
    public static func run(_ c: Configuration, progress: (Result) -> Void = { _ in }) throws -> [Result] {
        try c.validate()
        let previousThreads = blasThreads()
        if c.threads > 0 { setBLASThreads(c.threads) }
        defer { setBLASThreads(previousThreads) }
        let model = try model(shape: c.shape)
        var rng = SeededRNG(seed: c.seed)
        var initRNG = rng.derive("init")
        let parameters = model.initialParameters(rng: &initRNG)
        var results = [Result]()
        for batch in c.batchSizes {
            let inputs = (0..<(batch * model.inputDimension)).map { _ in Float(rng.nextDouble()) }
            let labels = (0..<batch).map { _ in Int32(rng.nextInt(below: model.classes)) }
            var gradient = [Float](repeating: 0, count: model.parameterCount)
            let workspace = ModelWorkspace()
            var times = [Double]()
            for call in 0..<(c.warmup + c.repeats) {
                let start = MonotonicClock.nanoseconds()
                var none: SeededRNG? = nil
                let loss = parameters.withUnsafeBufferPointer { p in
                    inputs.withUnsafeBufferPointer { x in
                        labels.withUnsafeBufferPointer { y in
                            gradient.withUnsafeMutableBufferPointer { g in
                                model.lossAndGradients(parameters: p, inputs: x, labels: y, batchSize: batch, gradient: g,
                                                       inputGradient: nil, workspace: workspace, dropoutRNG: &none)
                            }
                        }
                    }
                }
                let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e6
                precondition(loss.isFinite, "bench train: non-finite loss \(loss)")
                if call >= c.warmup { times.append(elapsed) }
            }
            let sorted = times.sorted()
            let result = Result(model: "cnn", parameters: model.parameterCount, batchSize: batch, timesMs: times,
                                bestMs: sorted[0], medianMs: sorted[sorted.count / 2],
                                threads: c.threads > 0 ? c.threads : blasThreads(), shape: c.shape)
            results.append(result)
            progress(result)
        }
        return results
    }
}

extension BenchOutput {
    /// The header of `fedsim bench train`: what ran and how it was measured (no spaces in values).
    public static func header(_ c: TrainBench.Configuration, cores: Int) -> Fields {
        [("bench", "train"), ("impl", "fedsim"), ("model", "cnn"),
         ("layers", "conv32k3,relu,conv64k3,relu,maxpool2,flatten,dense128,relu,dense10"),
         ("shape", c.shape.map(String.init).joined(separator: "x")), ("classes", "10"), ("seed", "\(c.seed)"),
         ("repeats", "\(c.repeats)"), ("warmup", "\(c.warmup)"), ("threads", "\(c.threads)"), ("cores", "\(cores)"),
         ("clock", MonotonicClock.name), ("dtype", "float32"), ("timed", "lossAndGradients")]
    }

    /// The fields of one training-bench result.
    public static func fields(_ r: TrainBench.Result) -> Fields {
        [("bench", "train"), ("impl", "fedsim"), ("model", r.model), ("parameters", "\(r.parameters)"),
         ("shape", r.shape.map(String.init).joined(separator: "x")), ("batch", "\(r.batchSize)"),
         ("best_ms", ms(r.bestMs)), ("median_ms", ms(r.medianMs)),
         ("images_per_s", String(format: "%.1f", r.bestImagesPerSecond)),
         ("median_images_per_s", String(format: "%.1f", r.medianImagesPerSecond)),
         ("repeats", "\(r.timesMs.count)"), ("threads", "\(r.threads)")]
    }
}
