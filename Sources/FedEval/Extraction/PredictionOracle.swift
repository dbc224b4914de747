import FedCore
#if canImport(Glibc)
import Glibc
#endif

/// Query access to a model, as a prediction API gives it (Tramèr et al., USENIX Security 2016,
/// sec. 2): a batch of inputs in, one row of `classes` values per input out, after the API's
/// defence (`Response`). It counts the queries it answered.
///
/// The inputs need not lie in the valid domain: an API takes any feature vector (equation
/// solving uses that).
public struct PredictionOracle {
    /// What the API returns for one input.
    public enum Response: Sendable, Equatable {
        /// The softmax probabilities `softmax(z)_j = exp(z_j - m) / sum_k exp(z_k - m)` in Float32.
        case probabilities
        /// The probabilities rounded to `k` decimals (`round(p * 10^k) / 10^k`): the rounding
        /// defence of Tramèr et al. (sec. 8.1); small probabilities become 0.
        case rounded(Int)
        /// The predicted class only, as a one-hot row (ties go to the lowest class).
        case labels
    }

    public let model: any Model
    public let parameters: [Float]
    public let response: Response
    /// Inputs answered so far.
    public private(set) var queries = 0
    private let workspace = ModelWorkspace()

    public init(model: any Model, parameters: [Float], response: Response) {
        precondition(parameters.count == model.parameterCount,
                     "PredictionOracle: the model has \(model.parameterCount) parameters; got \(parameters.count)")
        self.model = model
        self.parameters = parameters
        self.response = response
    }

    /// The API's rows for the `count` inputs of `inputs` (`count x inputDimension`), row-major
    /// `count x classes`, computed in batches of at most 256 inputs.
    public mutating func answer(_ inputs: UnsafeBufferPointer<Float>, count: Int) -> [Float] {
        let c = model.classes, d = model.inputDimension
        precondition(inputs.count >= count * d, "PredictionOracle: \(inputs.count) values for \(count) inputs of \(d)")
        var out = [Float](repeating: 0, count: count * c)
        parameters.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                var first = 0
                while first < count {
                    let size = min(256, count - first)
                    let rows = UnsafeMutableBufferPointer(rebasing: o[(first * c)..<((first + size) * c)])
                    model.logits(parameters: p, inputs: UnsafeBufferPointer(rebasing: inputs[(first * d)..<((first + size) * d)]),
                                 batchSize: size, into: rows, workspace: workspace)
                    for r in 0..<size { Self.respond(UnsafeMutableBufferPointer(rebasing: rows[(r * c)..<((r + 1) * c)]), response) }
                    first += size
                }
            }
        }
        queries += count
        return out
    }

    /// Array convenience.
    public mutating func answer(_ inputs: [Float]) -> [Float] {
        let count = inputs.count / model.inputDimension
        return inputs.withUnsafeBufferPointer { answer($0, count: count) }
    }

    /// Turns one row of logits into the API's response, in place.
    static func respond(_ row: UnsafeMutableBufferPointer<Float>, _ response: Response) {
        var best = 0
        for j in 1..<row.count where row[j] > row[best] { best = j }
        if response == .labels {
            for j in row.indices { row[j] = j == best ? 1 : 0 }
            return
        }
        let m = row[best].isFinite ? row[best] : 0
        var sum: Float = 0
        for j in row.indices {
            row[j] = expf(row[j] - m)
            sum += row[j]
        }
        for j in row.indices { row[j] /= sum }
        if case let .rounded(k) = response {
            let scale = Float(pow(10.0, Double(k)))
            for j in row.indices { row[j] = (row[j] * scale).rounded() / scale }
        }
    }
}
