@testable import FedEval
import FedCore
import XCTest

final class MembershipEvaluationTests: XCTestCase {
    /// Digits scaled to [0, 1], shuffled once with a fixed seed.
    private func digits() throws -> Dataset {
        var data = try DigitsData.load()
        for j in data.features.indices { data.features[j] /= 16 }
        var order = Array(0..<data.count)
        var rng = SeededRNG(seed: 2017)
        rng.shuffle(&order)
        return data.subset(order)
    }

    private let training = LocalTraining(epochs: 1, batchSize: 32, sgd: SGDConfig(learningRate: 0.1))

    /// `train` split over `clients` clients in order, `heldOut` as the non-members.
    private func input(model: any Model, parameters: [Float], previous: [Float]? = nil, train: Dataset,
                       clients: Int, heldOut: Dataset, samples: Int = 500, updates: [ObservedUpdate] = [],
                       observation: UpdateObservation = UpdateObservation(), training: LocalTraining? = nil,
                       seed: UInt64 = 5) -> EvaluationInput {
        let per = train.count / clients
        let indices = (0..<clients).map { k in Array((k * per)..<(k == clients - 1 ? train.count : (k + 1) * per)) }
        return EvaluationInput(model: model, parameters: parameters, previous: previous ?? parameters, round: 1,
                               train: train, clientIndices: indices, heldOut: heldOut, samples: samples,
                               domain: InputDomain(spanOf: train), training: training ?? self.training, observation: observation,
                               updates: updates, rng: SeededRNG(seed: seed))
    }

    private func trained(_ model: any Model, on data: Dataset, epochs: Int, seed: UInt64) -> [Float] {
        var rng = SeededRNG(seed: seed)
        let start = model.initialParameters(rng: &rng)
        return trainLocally(model: model, start: start, data: data,
                            config: LocalTraining(epochs: epochs, batchSize: 16, sgd: SGDConfig(learningRate: 0.1, momentum: 0.9)),
                            rng: &rng).parameters
    }

    /// A model trained on a third set, disjoint from both: members and non-members are alike
    /// to it, so every attack is at chance (AUC 0.5 ± 0.05 with n = 324 of each, where the
    /// standard deviation of the AUC at chance is about 0.023).
    func testAModelThatSawNeitherSetIsAtChance() throws {
        let data = try digits()
        let third = data.subset(Array(0..<450))
        let train = data.subset(Array(450..<1150))
        let heldOut = data.subset(Array(1150..<data.count))
        let model = MLP(inputDimension: 64, hidden: [32], classes: 10)
        let parameters = trained(model, on: third, epochs: 10, seed: 1)
        let evaluation = MembershipEvaluation(shadowModels: 2, shadowEpochs: 10, client: nil)
        let outcome = try evaluation.evaluate(input(model: model, parameters: parameters, train: train, clients: 10, heldOut: heldOut))
        for attack in MembershipEvaluation.Attack.allCases {
            let auc = try XCTUnwrap(outcome.figures["mia_\(attack.rawValue)_auc"], "\(attack)")
            XCTAssertEqual(auc, 0.5, accuracy: 0.05, "\(attack)")
            XCTAssertLessThan(try XCTUnwrap(outcome.figures["mia_\(attack.rawValue)_advantage"]), 0.15, "\(attack)")
        }
    }

    /// A small MLP trained 100 epochs on 40 samples fits them exactly and generalises worse
    /// (about 80% held-out accuracy): every threshold attack is well above chance, and so is
    /// the shadow attack, whose shadows are trained like the target (40 in-samples, 100
    /// epochs) on held-out data only.
    func testAnOverfittedModelLeaksMembership() throws {
        let data = try digits()
        let train = data.subset(Array(0..<40))
        let heldOut = data.subset(Array(40..<640))
        let model = MLP(inputDimension: 64, hidden: [32], classes: 10)
        let parameters = trained(model, on: train, epochs: 100, seed: 3)
        XCTAssertEqual(evaluate(model: model, parameters: parameters, data: train).accuracy, 1)
        let evaluation = MembershipEvaluation(shadowEpochs: 100, client: nil)
        let outcome = try evaluation.evaluate(input(
            model: model, parameters: parameters, train: train, clients: 4, heldOut: heldOut,
            training: LocalTraining(epochs: 1, batchSize: 16, sgd: SGDConfig(learningRate: 0.1, momentum: 0.9))))
        for attack in MembershipEvaluation.Attack.allCases {
            let auc = try XCTUnwrap(outcome.figures["mia_\(attack.rawValue)_auc"], "\(attack)")
            XCTAssertGreaterThan(auc, 0.7, "\(attack)")
            XCTAssertGreaterThan(try XCTUnwrap(outcome.figures["mia_\(attack.rawValue)_advantage"]), 0.3, "\(attack)")
        }
        // 40 members against 40 non-members: neither low FPR is measurable.
        XCTAssertNil(outcome.figures["mia_loss_tpr_at_1pct_fpr"])
        XCTAssertNil(outcome.figures["mia_loss_tpr_at_0_1pct_fpr"])
        // Every reported figure is declared.
        XCTAssertTrue(Set(outcome.figures.keys).isSubset(of: evaluation.figures.map(\.name)))
    }

    /// The server's view of client 0's update: previous + delta is client 0's own model, 60
    /// epochs on its 40 samples from a random start, so the loss attack on client 0's samples
    /// (against label-matched non-members) is well above chance (0.73 measured), while the
    /// global model (the random start) is at chance; the same update observed through
    /// clipping to norm 1 and Gaussian noise of deviation 1 (DP) is back at chance (0.50);
    /// a client without an update gets no figures; a client outside the run is an error.
    func testPerClientViewAndWhatNoiseDoesToIt() throws {
        let data = try digits()
        let train = data.subset(Array(0..<400))
        let heldOut = data.subset(Array(400..<1000))
        let model = MLP(inputDimension: 64, hidden: [32], classes: 10)
        var rng = SeededRNG(seed: 9)
        let previous = model.initialParameters(rng: &rng)
        let client0 = train.subset(Array(0..<40))
        let local = trainLocally(model: model, start: previous, data: client0,
                                 config: LocalTraining(epochs: 60, batchSize: 8, sgd: SGDConfig(learningRate: 0.1)), rng: &rng)
        let delta = zip(local.parameters, previous).map { $0 - $1 }
        let evaluation = MembershipEvaluation(attacks: [.loss], client: 0)
        let update = ObservedUpdate(client: 0, delta: delta, samples: 40)

        let clean = try evaluation.evaluate(input(model: model, parameters: previous, previous: previous, train: train,
                                                  clients: 10, heldOut: heldOut, updates: [update]))
        let cleanAUC = try XCTUnwrap(clean.figures["mia_client_loss_auc"])
        XCTAssertGreaterThan(cleanAUC, 0.65)
        XCTAssertGreaterThan(try XCTUnwrap(clean.figures["mia_client_advantage"]), 0.3)
        // The global model never trained on client 0 more than on anyone: near chance.
        XCTAssertEqual(try XCTUnwrap(clean.figures["mia_loss_auc"]), 0.5, accuracy: 0.1)

        let noisy = try evaluation.evaluate(input(model: model, parameters: previous, previous: previous, train: train,
                                                  clients: 10, heldOut: heldOut, updates: [update],
                                                  observation: UpdateObservation(clip: 1, noiseStd: 1)))
        let noisyAUC = try XCTUnwrap(noisy.figures["mia_client_loss_auc"])
        XCTAssertEqual(noisyAUC, 0.5, accuracy: 0.1)
        XCTAssertLessThan(noisyAUC, cleanAUC - 0.15)

        let absent = try evaluation.evaluate(input(model: model, parameters: previous, previous: previous, train: train,
                                                   clients: 10, heldOut: heldOut,
                                                   updates: [ObservedUpdate(client: 3, delta: delta, samples: 40)]))
        XCTAssertNil(absent.figures["mia_client_loss_auc"])
        XCTAssertNotNil(absent.figures["mia_loss_auc"])

        XCTAssertThrowsError(try MembershipEvaluation(attacks: [.loss], client: 10)
            .evaluate(input(model: model, parameters: previous, train: train, clients: 10, heldOut: heldOut))) { error in
            XCTAssertEqual("\(error)", "client: client 10 is not in this run: it has 10 clients (0...9)")
        }
    }

    /// Same input, same bits; `samples` caps both sets.
    func testDeterministicAndBalanced() throws {
        let data = try digits()
        let model = LogisticRegression(inputDimension: 64, classes: 10)
        let parameters = trained(model, on: data.subset(Array(0..<300)), epochs: 5, seed: 2)
        let make = { (samples: Int) in
            self.input(model: model, parameters: parameters, train: data.subset(Array(0..<300)), clients: 3,
                       heldOut: data.subset(Array(300..<600)), samples: samples)
        }
        let evaluation = MembershipEvaluation(shadowModels: 2, shadowEpochs: 5)
        XCTAssertEqual(try evaluation.evaluate(make(120)), try evaluation.evaluate(make(120)))
        // With the shadow attack the 300 held-out samples give 150 non-members: 1% is one
        // step of 1/150 and more, 0.1% is not measurable.
        let outcome = try evaluation.evaluate(make(500))
        XCTAssertNotNil(outcome.figures["mia_shadow_tpr_at_1pct_fpr"])
        XCTAssertNil(outcome.figures["mia_shadow_tpr_at_0_1pct_fpr"])
        // With 20 samples of each, 1% FPR is not measurable either.
        XCTAssertNil(try evaluation.evaluate(make(20)).figures["mia_loss_tpr_at_1pct_fpr"])
    }

    /// The descriptor: default figures (5 per attack, 2 per-client), duplicates refused.
    func testDescriptor() throws {
        let descriptor = MembershipEvaluation.descriptor
        XCTAssertEqual(descriptor.name, "membership")
        let names = descriptor.figures(descriptor.defaults).map(\.name)
        XCTAssertEqual(names.count, 4 * 5 + 2)
        XCTAssertEqual(Array(names.prefix(5)), ["mia_loss_auc", "mia_loss_balanced_accuracy", "mia_loss_advantage",
                                                "mia_loss_tpr_at_1pct_fpr", "mia_loss_tpr_at_0_1pct_fpr"])
        XCTAssertEqual(Array(names.suffix(2)), ["mia_client_loss_auc", "mia_client_advantage"])
        var twice = descriptor.defaults
        twice.set("attacks", .items([ParameterItem(kind: "loss"), ParameterItem(kind: "shadow"), ParameterItem(kind: "loss")]))
        XCTAssertThrowsError(try descriptor.normalized(twice)) { error in
            XCTAssertEqual("\(error)", "attacks: loss is listed twice in [\"loss\", \"shadow\", \"loss\"]")
        }
        var one = descriptor.defaults
        one.set("attacks", .items([ParameterItem(kind: "entropy")]))
        XCTAssertEqual(MembershipEvaluation(one).attacks, [.entropy])
    }
}
