import FedCore
import FedTestSupport
@testable import FedSim
import XCTest

/// A client process's data from its shard file is, bit for bit, what it would have cut from
/// the whole prepared federation; a shard file for another scenario or other clients is refused.
final class ClientDataTests: XCTestCase {
    private let yaml = """
        seed: 5
        dataset: {kind: digits}
        partition: {kind: shards, shards_per_client: 2}
        model: {kind: mlp, hidden: [8]}
        federation: {clients: 6, processes: 2}
        attack: {kind: backdoor, malicious: 0.34}
        """

    func testShardFileGivesTheSameDataAsPreparingEverything() throws {
        let s = try Tiny.scenario(yaml)
        let data = try FederationData.prepare(s)
        let dir = try TemporaryDirectory()
        for ids in [[0, 1, 2], [3, 4, 5], [4]] {
            let path = dir.path + "/shard.bin"
            try ClientData.shardFile(of: data, scenario: s, clientIds: ids).write(to: path)
            let fromFile = try ClientData(shardFile: path, scenario: s, clientIds: ids)
            let local = ClientData(federation: data, clientIds: ids)
            XCTAssertEqual(fromFile.local, local.local, "\(ids)")
            XCTAssertEqual(Set(fromFile.local.keys), Set(ids))
            for id in ids {
                XCTAssertEqual(fromFile.local[id], data.clientData(id), "client \(id): the same samples in the same order")
                XCTAssertEqual(fromFile.local[id]?.shape, [1, 8, 8])
            }
            XCTAssertEqual(fromFile.facts.classes, local.facts.classes)
            XCTAssertEqual(fromFile.facts.maxFeature.bitPattern, local.facts.maxFeature.bitPattern)
            XCTAssertEqual(fromFile.model.parameterCount, data.model.parameterCount)
            XCTAssertEqual(fromFile.model.parameterBlocks.map(\.shape), data.model.parameterBlocks.map(\.shape))
        }
    }

    func testRuntimeOnAShardFileHostsTheSameClients() throws {
        let s = try Tiny.scenario(yaml)
        let data = try FederationData.prepare(s)
        let dir = try TemporaryDirectory()
        let path = dir.path + "/shard.bin"
        try ClientData.shardFile(of: data, scenario: s, clientIds: [0, 1]).write(to: path)
        let runtime = try ClientRuntime(scenario: s, data: try ClientData(shardFile: path, scenario: s, clientIds: [1, 0]),
                                        clientIds: [1, 0], parentPid: nil, logger: Tiny.logger)
        XCTAssertEqual(runtime.clientIds, [0, 1])
        XCTAssertThrowsError(try ClientRuntime(scenario: s, data: ClientData(federation: data, clientIds: [0]),
                                               clientIds: [0, 1], parentPid: nil, logger: Tiny.logger)) { error in
            XCTAssertEqual("\(error)", "no local data for client 1")
        }
    }

    func testShardFileOfAnotherScenarioOrOtherClientsIsRefused() throws {
        let s = try Tiny.scenario(yaml)
        let other = try Tiny.scenario(yaml.replacingOccurrences(of: "seed: 5", with: "seed: 6"))
        let data = try FederationData.prepare(s)
        let dir = try TemporaryDirectory()
        let path = dir.path + "/shard.bin"
        try ClientData.shardFile(of: data, scenario: s, clientIds: [0, 1, 2]).write(to: path)
        XCTAssertEqual(thrownMessage { _ = try ClientData(shardFile: path, scenario: other, clientIds: [0, 1, 2]) },
                       "\(path): the shard file was prepared for scenario 0x\(String(s.fingerprint, radix: 16)), "
                       + "this is 0x\(String(other.fingerprint, radix: 16))")
        XCTAssertEqual(thrownMessage { _ = try ClientData(shardFile: path, scenario: s, clientIds: [0, 1]) },
                       "\(path): the shard file holds clients 0-2, this process hosts 0-1")
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        bytes[bytes.count / 2] ^= 1
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertTrue(thrownMessage { _ = try ClientData(shardFile: path, scenario: s, clientIds: [0, 1, 2]) }
                        .hasPrefix("\(path): unreadable shard file: checksum mismatch"))
    }

    func testLaunchPlanHandsEachProcessItsShardFile() throws {
        let s = try Tiny.scenario(yaml)
        let plan = try LaunchPlan(scenario: s, runtimeDirectory: "/tmp/r")
        let file = LaunchPlan.shardFile(process: 1, runtimeDirectory: "/tmp/r")
        XCTAssertEqual(file, "/tmp/r/shard-1.bin")
        let args = plan.clientArguments(process: 1, scenarioFile: "s.yaml", coordinator: "ipc:///tmp/r/coordinator", hub: nil,
                                        keys: nil, parentPid: 42, shardFile: file)
        XCTAssertEqual(args, ["client", "--scenario", "s.yaml", "--connect", "ipc:///tmp/r/coordinator", "--clients", "3-5",
                              "--parent-pid", "42", "--shard", "/tmp/r/shard-1.bin"])
    }

    func testMemoryEstimateCountsAClientProcessShardNotTheDataset() throws {
        // 240 samples of 4 features (20 bytes each with the label): 192 train + 48 test. 4 clients of
        // 48 in 2 processes: a shard file holds 96 samples, 1,920 bytes. Logistic: 10 parameters, 40 bytes.
        let s = try Tiny.scenario("federation: {clients: 4, processes: 2}")
        let data = try FederationData.prepare(s)
        XCTAssertEqual(data.partition.sizes, [48, 48, 48, 48])
        let whole = FederationData.memoryEstimate(s, model: data.model, train: data.train, test: data.test)
        XCTAssertEqual(whole.clientProcessBytes, 40 * 6 + 4800)
        let sharded = FederationData.memoryEstimate(s, model: data.model, train: data.train, test: data.test,
                                                    partition: data.partition)
        XCTAssertEqual(sharded.clientProcessBytes, 40 * 6 + 1920)
        XCTAssertEqual(sharded.coordinatorBytes, whole.coordinatorBytes, "the coordinator still holds all the data")
    }
}
