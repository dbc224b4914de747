/// The threat families whose figures the reports group (by the prefix of their rounds.csv
/// columns, docs/THREATS.md), in the order the reports show them.
struct ThreatFamily: Sendable, Equatable {
    let prefix: String
    let title: String
    /// One line under the family's heading: what the figures mean, which way is better.
    let about: String

    static let all: [ThreatFamily] = [
        ThreatFamily(prefix: "adv_", title: "Adversarial examples",
                     about: "White-box attacks on the global model within the L-infinity budget: robust accuracy (higher is better for the defender), success on inputs it classified correctly, and the perturbations' size in input-domain units."),
        ThreatFamily(prefix: "mia_", title: "Membership inference",
                     about: "Telling the clients' training samples from held-out ones by the global model's outputs: AUC 0.5 and advantage 0 mean nothing leaks; TPR at low FPR is the figure that matters for a few confident guesses."),
        ThreatFamily(prefix: "inv_", title: "Gradient inversion",
                     about: "An honest-but-curious server reconstructing a client's inputs from what it sees of the client's update: higher PSNR and SSIM and lower MSE mean more leaks."),
        ThreatFamily(prefix: "minv_", title: "Model inversion",
                     about: "Representative inputs of each class recovered from the model's confidence scores alone: distance to the real class means (lower: closer to the data)."),
        ThreatFamily(prefix: "ext_", title: "Model extraction",
                     about: "A surrogate built from query access: agreement with the global model on test inputs (higher: more stolen), parameters recovered by equation solving, the regularisation strength stolen."),
    ]

    /// The family of figure `name`, or nil when it is not a threat figure.
    static func of(_ name: String) -> ThreatFamily? {
        all.first { name.hasPrefix($0.prefix) }
    }

    /// `names` grouped by family, in family order, each family's names in the given order.
    static func group(_ names: [String]) -> [(family: ThreatFamily, names: [String])] {
        all.compactMap { f in
            let mine = names.filter { $0.hasPrefix(f.prefix) }
            return mine.isEmpty ? nil : (f, mine)
        }
    }
}
