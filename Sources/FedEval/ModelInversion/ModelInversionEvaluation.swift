import FedCore

/// Output-driven model inversion against the global model (issue 13, part 4): one
/// reconstruction per class (`ModelInversion`), scored by how the model classifies it and by
/// its distance to the mean of the real training inputs of its class. See docs/THREATS.md.
public struct ModelInversionEvaluation: Sendable {
    /// The classes to reconstruct; empty: every class (`classes: all`).
    public var classes: [Int]
    public var inversion: ModelInversion

    public init(classes: [Int] = [], inversion: ModelInversion = ModelInversion()) {
        self.classes = classes
        self.inversion = inversion
    }

    /// Per-feature RMS distance `||a − b|| / sqrt(d)`.
    public static func rmsDistance(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        precondition(a.count == b.count && !a.isEmpty, "rmsDistance: \(a.count) and \(b.count) values")
        let s = zip(a, b).reduce(0.0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
        return (s / Double(a.count)).squareRoot()
    }

    /// The mean input of each class (nil for a class without samples) and the overall mean.
    public static func means(of data: Dataset, classes: Int) -> (perClass: [[Float]?], overall: [Float]) {
        let d = data.dimension
        var sums = [[Double]](repeating: [Double](repeating: 0, count: d), count: classes)
        var counts = [Int](repeating: 0, count: classes)
        var total = [Double](repeating: 0, count: d)
        data.features.withUnsafeBufferPointer { x in
            for i in 0..<data.count {
                let y = Int(data.labels[i])
                counts[y] += 1
                for j in 0..<d {
                    sums[y][j] += Double(x[i * d + j])
                    total[j] += Double(x[i * d + j])
                }
            }
        }
        let perClass: [[Float]?] = (0..<classes).map { c in
            counts[c] > 0 ? sums[c].map { Float($0 / Double(counts[c])) } : nil
        }
        let n = Double(max(data.count, 1))
        return (perClass, total.map { Float($0 / n) })
    }

    public func evaluate(_ input: EvaluationInput) -> EvaluationOutcome {
        let model = input.model, d = model.inputDimension, c = model.classes
        let targets = classes.isEmpty ? Array(0..<c) : classes
        let x = inversion.reconstruct(model: model, parameters: input.parameters, classes: targets, domain: input.domain,
                                      shape: input.train.shape, data: input.heldOut)
        var logits = [Float](repeating: 0, count: targets.count * c)
        input.parameters.withUnsafeBufferPointer { p in
            x.withUnsafeBufferPointer { xp in
                logits.withUnsafeMutableBufferPointer { z in
                    model.logits(parameters: p, inputs: xp, batchSize: targets.count, into: z)
                }
            }
        }
        var correct = 0
        var confidence = 0.0
        var captions = [String]()
        for (i, t) in targets.enumerated() {
            let row = Array(logits[(i * c)..<((i + 1) * c)])
            let predicted = row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0
            if predicted == t { correct += 1 }
            let p = Double(ModelInversion.probability(logits, row: i, of: t, classes: c))
            confidence += p
            captions.append("\(t): p \(String(format2: p))")
        }
        var figures: [String: Double] = [
            "minv_accuracy": Double(correct) / Double(targets.count),
            "minv_confidence": confidence / Double(targets.count),
        ]
        let (classMeans, overall) = Self.means(of: input.train, classes: c)
        var distance = 0.0, baseline = 0.0, measured = 0
        for (i, t) in targets.enumerated() {
            guard let mean = classMeans[t] else { continue }
            distance += Self.rmsDistance(x[(i * d)..<((i + 1) * d)], mean[...])
            baseline += Self.rmsDistance(mean[...], overall[...])
            measured += 1
        }
        if measured > 0 {
            figures["minv_distance"] = distance / Double(measured)
            figures["minv_baseline_distance"] = baseline / Double(measured)
        }
        var images = [ImagePanel]()
        let shape = input.train.shape
        if shape.count == 3 && shape.reduce(1, *) == d {
            images.append(ImagePanel(title: "model inversion: one reconstruction per class", shape: shape,
                                     images: targets.indices.map { input.domain.display(Array(x[($0 * d)..<(($0 + 1) * d)])) },
                                     captions: captions))
            let shown = targets.filter { classMeans[$0] != nil }
            images.append(ImagePanel(title: "model inversion: mean training input of each class", shape: shape,
                                     images: shown.map { input.domain.display(classMeans[$0] ?? []) },
                                     captions: shown.map(String.init)))
        }
        return EvaluationOutcome(figures: figures, images: images)
    }
}

extension String {
    /// `x` with two decimals (no Foundation formatting).
    init(format2 x: Double) {
        let r = (x * 100).rounded() / 100
        let whole = Int(r)
        let cents = Int(((r - Double(whole)) * 100).rounded())
        self = "\(whole).\(cents < 10 ? "0" : "")\(cents)"
    }
}
