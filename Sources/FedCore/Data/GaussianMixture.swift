/// A synthetic classification task: a mixture of isotropic Gaussians, one per class.
///
/// Class means μ_k = separation · z_k / ||z_k|| with z_k ~ N(0, I_d), i.e. uniform on the
/// sphere of radius `separation` (Muller 1959: a normalised standard normal vector is uniform
/// on the sphere). A sample of class k is x = μ_k + ε, ε ~ N(0, I_d) (unit variance). With
/// random directions in d dimensions two means are about separation·√2 apart, so
/// `separation` of 3 or more gives an easy task and 0.5 a hard one.
///
/// Classes are balanced: class k gets ⌊samples/classes⌋ samples plus one more for
/// k < samples mod classes; the sample order is then shuffled. Everything is drawn from the
/// given generator in a fixed order, so the same generator state gives the same dataset.
public struct GaussianMixture: Sendable, Equatable {
    /// Number of samples to generate.
    public var samples: Int
    /// Dimension of each sample.
    public var features: Int
    /// Number of classes (mixture components).
    public var classes: Int
    /// Radius of the sphere the class means lie on (in units of the noise's standard deviation).
    public var separation: Double

    public init(samples: Int, features: Int, classes: Int, separation: Double = 3.0) {
        self.samples = samples
        self.features = features
        self.classes = classes
        self.separation = separation
    }

    /// Checks the parameters; `generate` requires them to be valid.
    public func validate() throws {
        guard samples > 0 else { throw DataError.invalidParameter(what: "synthetic samples must be > 0; got \(samples)") }
        guard features > 0 else { throw DataError.invalidParameter(what: "synthetic features must be > 0; got \(features)") }
        guard classes >= 2 else { throw DataError.invalidParameter(what: "synthetic classes must be >= 2; got \(classes)") }
        guard separation >= 0, separation.isFinite else {
            throw DataError.invalidParameter(what: "synthetic separation must be finite and >= 0; got \(separation)")
        }
    }

    /// Draws the class means, then the samples, from `rng`. The dataset is named "synthetic".
    ///
    /// - Precondition: the parameters pass `validate()`.
    public func generate(rng: inout SeededRNG) -> Dataset {
        precondition(samples > 0 && features > 0 && classes >= 2 && separation >= 0 && separation.isFinite,
                     "GaussianMixture: invalid parameters \(self)")
        // Class means on the sphere of radius `separation`.
        var means = [Double](repeating: 0, count: classes * features)
        for k in 0..<classes {
            var norm2 = 0.0
            repeat {
                norm2 = 0
                for j in 0..<features {
                    let z = rng.nextGaussian()
                    means[k * features + j] = z
                    norm2 += z * z
                }
            } while norm2 == 0
            let scale = separation / norm2.squareRoot()
            for j in 0..<features { means[k * features + j] *= scale }
        }

        // Balanced labels in a random order.
        var labels = (0..<samples).map { Int32($0 % classes) }
        rng.shuffle(&labels)

        var x = [Float](repeating: 0, count: samples * features)
        for i in 0..<samples {
            let base = Int(labels[i]) * features
            for j in 0..<features {
                x[i * features + j] = Float(means[base + j] + rng.nextGaussian())
            }
        }
        return Dataset(features: x, labels: labels, dimension: features, classes: classes, name: "synthetic")
    }
}
