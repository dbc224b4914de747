import FedCore

/// Membership inference against the global model (scenario key `membership`): can an attacker
/// who sees the model's outputs tell the clients' training samples from unseen ones?
///
/// **Sets.** The held-out set, in a seeded order (`rng.derive("held-out")`), is split when the
/// shadow attack runs: its first ⌈H/2⌉ samples are the non-member pool, the other ⌊H/2⌋ the
/// shadow models' pool (so the shadows never see a sample the evaluation scores); without the
/// shadow attack the whole held-out set is the non-member pool. The members are drawn from
/// the union of the clients' samples in a seeded order (`rng.derive("members")`). Both sets
/// hold `n = min(samples, members available, non-member pool)` samples: balanced, so that
/// accuracy 0.5 and AUC 0.5 are chance.
///
/// **Attacks**, each a score (higher = member) turned into figures by `MembershipROC`:
/// `loss`, `confidence`, `entropy` (`MembershipScore`, one forward pass shared) and `shadow`
/// (`ShadowModelAttack`: `shadow_models` shadows of `min(n, ⌊pool/2⌋)` in- and out-samples
/// each, trained for `shadow_epochs` epochs with the clients' local training).
///
/// **Per client** (`client: k`): the server's view of client k's update this round, the
/// model `previous + observe(Δ_k)` (`UpdateObservation`: the defence's clipping and noise, the
/// noise drawn from `rng.derive("client-observation")`), attacked with the loss score on up to
/// `samples` of client k's own samples, each paired with a non-member of the same label from
/// the non-member pool (members whose label has run out in the pool are left out): with a
/// non-IID partition a client holds few classes, and unmatched non-members would measure the
/// label shift, not membership. Nothing is reported when client k sent no accepted update.
public struct MembershipEvaluation: Sendable {
    public enum Attack: String, Sendable, CaseIterable {
        case loss, confidence, entropy, shadow

        /// One line for the docs.
        public var doc: String {
            switch self {
            case .loss: "loss threshold: score log p_y = -loss (Yeom et al., CSF 2018)"
            case .confidence: "top-probability threshold: score max_k p_k, label-free (Salem et al., NDSS 2019)"
            case .entropy: "modified-entropy threshold: score -Mentr (Song & Mittal, USENIX Security 2021)"
            case .shadow: "shadow models and a logistic attack classifier on their outputs (Shokri et al., S&P 2017)"
            }
        }
    }

    public let attacks: [Attack]
    public let shadowModels: Int
    public let shadowEpochs: Int
    /// The client whose update the per-client view attacks; nil: no per-client view.
    public let client: Int?

    public init(attacks: [Attack] = [.loss, .confidence, .entropy, .shadow], shadowModels: Int = 4,
                shadowEpochs: Int = 20, client: Int? = 0) {
        precondition(!attacks.isEmpty && Set(attacks).count == attacks.count,
                     "MembershipEvaluation: attacks must be non-empty and distinct; got \(attacks)")
        self.attacks = attacks
        self.shadowModels = shadowModels
        self.shadowEpochs = shadowEpochs
        self.client = client
    }

    /// The low false-positive rates reported, with their figure suffixes (Carlini et al. 2022).
    static let lowFPRs: [(alpha: Double, suffix: String)] = [(0.01, "1pct"), (0.001, "0_1pct")]

    // MARK: - Figures

    /// The figures for these settings, with their doc lines, in column order.
    public var figures: [(name: String, doc: String)] {
        var out = [(name: String, doc: String)]()
        for a in attacks {
            let p = "mia_\(a.rawValue)"
            out.append(("\(p)_auc", "\(a.rawValue) attack: ROC AUC, members against non-members (0.5 = chance)"))
            out.append(("\(p)_balanced_accuracy", "\(a.rawValue) attack: balanced accuracy at the best threshold"))
            out.append(("\(p)_advantage", "\(a.rawValue) attack: membership advantage, max TPR - FPR (Yeom)"))
            for (alpha, suffix) in Self.lowFPRs {
                out.append(("\(p)_tpr_at_\(suffix)_fpr",
                            "\(a.rawValue) attack: TPR at FPR \(alpha * 100)% (empty with fewer than \(Int(1 / alpha)) non-members)"))
            }
        }
        if client != nil {
            out.append(("mia_client_loss_auc", "loss attack on one client's update (previous + its delta): ROC AUC"))
            out.append(("mia_client_advantage", "loss attack on one client's update: membership advantage"))
        }
        return out
    }

    // MARK: - Measurement

    public func evaluate(_ input: EvaluationInput) throws -> EvaluationOutcome {
        let rng = input.rng
        let heldOut = input.heldOut
        var heldOrder = Array(0..<heldOut.count)
        var heldRNG = rng.derive("held-out")
        heldRNG.shuffle(&heldOrder)
        let withShadow = attacks.contains(.shadow)
        let nonMemberCount = withShadow ? (heldOrder.count + 1) / 2 : heldOrder.count
        let nonMemberPool = Array(heldOrder[0..<nonMemberCount])
        let shadowPool = Array(heldOrder[nonMemberCount...])

        var memberPool = Array(Set(input.clientIndices.joined())).sorted()
        var memberRNG = rng.derive("members")
        memberRNG.shuffle(&memberPool)

        let workspace = ModelWorkspace()
        let classes = input.model.classes
        var figures = [String: Double]()
        let n = min(input.samples, memberPool.count, nonMemberPool.count)
        if n > 0 {
            let members = input.train.subset(Array(memberPool[0..<n]))
            let nonMembers = heldOut.subset(Array(nonMemberPool[0..<n]))
            let memberLogits = Self.logits(model: input.model, parameters: input.parameters, data: members, workspace: workspace)
            let nonMemberLogits = Self.logits(model: input.model, parameters: input.parameters, data: nonMembers,
                                              workspace: workspace)
            for attack in attacks {
                let roc: MembershipROC
                if let score = MembershipScore(rawValue: attack.rawValue) {
                    roc = MembershipROC(members: Self.scores(score, memberLogits, members.labels, classes),
                                        nonMembers: Self.scores(score, nonMemberLogits, nonMembers.labels, classes))
                } else {
                    let size = min(n, shadowPool.count / 2)
                    guard size >= 1 else { continue }
                    let classifier = ShadowModelAttack(shadowModels: shadowModels, epochs: shadowEpochs)
                        .fit(model: input.model, pool: heldOut.subset(shadowPool), size: size, training: input.training,
                             rng: rng.derive("shadow"), workspace: workspace)
                    roc = MembershipROC(members: classifier.scores(logits: memberLogits, labels: members.labels, classes: classes),
                                        nonMembers: classifier.scores(logits: nonMemberLogits, labels: nonMembers.labels,
                                                                      classes: classes))
                }
                Self.record(roc, prefix: "mia_\(attack.rawValue)", into: &figures)
            }
        }
        if let client {
            try clientView(client, input, nonMemberPool: nonMemberPool, workspace: workspace, into: &figures)
        }
        return EvaluationOutcome(figures: figures)
    }

    /// The per-client figures (see the type's documentation).
    private func clientView(_ k: Int, _ input: EvaluationInput, nonMemberPool: [Int], workspace: ModelWorkspace,
                            into figures: inout [String: Double]) throws {
        guard k < input.clientIndices.count else {
            throw ParameterError(key: "client", "client \(k) is not in this run: it has \(input.clientIndices.count) clients "
                                 + "(0...\(input.clientIndices.count - 1))")
        }
        guard let update = input.updates.first(where: { $0.client == k }) else { return }
        var observationRNG = input.rng.derive("client-observation")
        let delta = input.observation.observe(update.delta, rng: &observationRNG)
        let parameters = zip(input.previous, delta).map { $0 + $1 }
        // Label-matched pairs: each member drawn (in a seeded order) takes the next unused
        // non-member of its own label, so that a client holding few classes (a non-IID
        // partition) is not told from the held-out set by its labels alone.
        var own = input.clientIndices[k]
        var ownRNG = input.rng.derive("client-members")
        ownRNG.shuffle(&own)
        var byLabel = [[Int]](repeating: [], count: max(input.heldOut.classes, input.model.classes))
        for i in nonMemberPool.reversed() { byLabel[Int(input.heldOut.labels[i])].append(i) }
        var memberIndices = [Int](), nonMemberIndices = [Int]()
        for i in own where memberIndices.count < input.samples {
            let y = Int(input.train.labels[i])
            guard let j = byLabel[y].popLast() else { continue }
            memberIndices.append(i)
            nonMemberIndices.append(j)
        }
        guard !memberIndices.isEmpty else { return }
        let members = input.train.subset(memberIndices)
        let nonMembers = input.heldOut.subset(nonMemberIndices)
        let classes = input.model.classes
        let roc = MembershipROC(
            members: Self.scores(.loss, Self.logits(model: input.model, parameters: parameters, data: members, workspace: workspace),
                                 members.labels, classes),
            nonMembers: Self.scores(.loss, Self.logits(model: input.model, parameters: parameters, data: nonMembers,
                                                       workspace: workspace), nonMembers.labels, classes))
        figures["mia_client_loss_auc"] = roc.auc
        figures["mia_client_advantage"] = roc.advantage
    }

    static func record(_ roc: MembershipROC, prefix: String, into figures: inout [String: Double]) {
        figures["\(prefix)_auc"] = roc.auc
        figures["\(prefix)_balanced_accuracy"] = roc.balancedAccuracy
        figures["\(prefix)_advantage"] = roc.advantage
        for (alpha, suffix) in lowFPRs {
            if let tpr = roc.tpr(atFPR: alpha) { figures["\(prefix)_tpr_at_\(suffix)_fpr"] = tpr }
        }
    }

    static func scores(_ score: MembershipScore, _ logits: [Float], _ labels: [Int32], _ classes: Int) -> [Double] {
        logits.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in score.scores(logits: z, labels: y, count: labels.count, classes: classes) }
        }
    }

    /// The logits of every sample of `data` (`count x classes`), in batches of 256 with one
    /// workspace (evaluation mode: dropout off).
    static func logits(model: any Model, parameters: [Float], data: Dataset, workspace: ModelWorkspace) -> [Float] {
        let c = model.classes, d = data.dimension
        var out = [Float](repeating: 0, count: data.count * c)
        parameters.withUnsafeBufferPointer { p in
            data.features.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { z in
                    var first = 0
                    while first < data.count {
                        let size = min(256, data.count - first)
                        model.logits(parameters: p, inputs: UnsafeBufferPointer(rebasing: x[(first * d)..<((first + size) * d)]),
                                     batchSize: size, into: UnsafeMutableBufferPointer(rebasing: z[(first * c)..<((first + size) * c)]),
                                     workspace: workspace)
                        first += size
                    }
                }
            }
        }
        return out
    }
}
