import FedAttacks
import FedCore
import FedEval

/// What one client process needs to train the logical clients it hosts: the model (built for
/// the data's sample shape and class count), the facts about the whole training set that data
/// attacks read, and each hosted client's local dataset, in the order its partition lists it.
///
/// Two ways to get it, with the same bits:
/// - `init(federation:clientIds:)`: from a `FederationData` this process prepared itself
///   (load or generate the whole dataset, normalise, partition). A client started by hand on
///   another machine (`fedsim client` without `--shard`, docs/DEPLOY.md) does this.
/// - `init(shardFile:scenario:clientIds:)`: from the shard file `fedsim run` wrote for this
///   process (`ShardFile`), so that the process never holds the whole training set, and start-up
///   does not cost processes x dataset.
public struct ClientData: Sendable {
    public let model: any Model
    /// The training set's class count and largest feature value.
    public let facts: AttackDescriptor.DataFacts
    /// The local dataset of each hosted logical client.
    public let local: [Int: Dataset]
    /// The valid inputs (`FederationData.inputDomain`), for adversarial training.
    public let domain: InputDomain

    /// The hosted clients' data out of a whole prepared federation.
    public init(federation data: FederationData, clientIds: [Int]) {
        model = data.model
        facts = AttackFactory.facts(data.train)
        local = Dictionary(uniqueKeysWithValues: clientIds.map { ($0, data.clientData($0)) })
        domain = data.inputDomain
    }

    /// The hosted clients' data from the shard file at `path`, checked against the scenario
    /// (fingerprint) and the hosted ids.
    ///
    /// - Throws: `DataError` for a missing or damaged file; `ClientError.mismatch` for a file
    ///   prepared for another scenario or other clients.
    public init(shardFile path: String, scenario: Scenario, clientIds: [Int]) throws {
        let shard = try ShardFile.read(path)
        guard shard.scenario == scenario.fingerprint else {
            throw ClientError.mismatch("\(path): the shard file was prepared for scenario 0x\(hex(shard.scenario)), this is 0x\(hex(scenario.fingerprint))")
        }
        guard shard.ids == clientIds.sorted() else {
            throw ClientError.mismatch("\(path): the shard file holds clients \(ClientIdList.format(shard.ids)), this process hosts \(ClientIdList.format(clientIds.sorted()))")
        }
        model = try scenario.model.make(inputShape: shard.shape, classes: shard.modelClasses)
        facts = AttackDescriptor.DataFacts(classes: shard.classes, maxFeature: shard.maxFeature)
        local = Dictionary(uniqueKeysWithValues: zip(shard.ids, shard.datasets).map { ($0, $1) })
        domain = InputDomain(lower: shard.domainLower, upper: shard.domainUpper)
    }

    /// The shard file of the logical clients `ids`, cut from a prepared federation.
    public static func shardFile(of data: FederationData, scenario: Scenario, clientIds ids: [Int]) -> ShardFile {
        let sorted = ids.sorted()
        return ShardFile(scenario: scenario.fingerprint, classes: data.train.classes,
                         modelClasses: max(data.train.classes, data.test.classes),
                         maxFeature: AttackFactory.facts(data.train).maxFeature, shape: data.train.shape,
                         name: data.train.name, ids: sorted, datasets: sorted.map { data.clientData($0) },
                         domainLower: data.inputDomain.lower, domainUpper: data.inputDomain.upper)
    }
}
