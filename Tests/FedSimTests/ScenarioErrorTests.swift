import XCTest
@testable import FedSim

/// Bad scenarios and overrides, each with the exact one-line error it must produce.
final class ScenarioErrorTests: XCTestCase {
    private struct Case {
        let yaml: String
        var overrides: [String] = []
        let error: String
        let line: UInt
    }

    private static let federationKeys = "clients, processes, rounds, fraction, local_epochs, batch_size, "
        + "learning_rate, momentum, weight_decay, server_learning_rate, deadline, quorum, startup_timeout, "
        + "heartbeat_timeout, mode, momentum_buffer, momentum_dampening"
    private static let topKeys = "name, seed, output, dataset, partition, model, federation, transport, attack, defense, faults, evaluate, local_training"

    private func check(_ cases: [Case]) {
        for item in cases {
            // Prepare / Execute
            do {
                let scenario = try Scenario.parse(yaml: item.yaml, file: "scenarios/x.yaml",
                                                  baseDirectory: "/data", overrides: item.overrides)
                XCTFail("expected an error, got \(scenario)", line: item.line)
            } catch let error as ScenarioError {
                // Assert
                XCTAssertEqual(error.description, item.error, line: item.line)
                XCTAssertFalse(error.description.contains("\n"), "one line", line: item.line)
            } catch {
                XCTFail("not a ScenarioError: \(error)", line: item.line)
            }
        }
    }

    func testUnknownKeysAtEachLevel() {
        check([
            Case(yaml: "nmae: x\n", error: "scenarios/x.yaml:1:1: nmae: unknown key; did you mean name? allowed: \(Self.topKeys)",
                 line: #line),
            Case(yaml: "seed: 3\nfederation:\n  clients: 4\n  clinets: 5\n",
                 error: "scenarios/x.yaml:4:3: federation.clinets: unknown key; did you mean clients? allowed: \(Self.federationKeys)",
                 line: #line),
            Case(yaml: "dataset:\n  kind: synthetic\n  synthetic:\n    sample: 5\n",
                 error: "scenarios/x.yaml:4:5: dataset.synthetic.sample: unknown key; did you mean samples? "
                    + "allowed: samples, features, classes, separation", line: #line),
            Case(yaml: "model:\n  depth: [3]\n",
                 error: "scenarios/x.yaml:2:3: model.depth: unknown key; allowed: kind, hidden, init", line: #line),
            Case(yaml: "transport:\n  kind: tcp\n  address: x\n",
                 error: "scenarios/x.yaml:3:3: transport.address: unknown key; allowed: kind, host, port, security, server_secret, server_key, allowed_clients, max_peers",
                 line: #line),
            Case(yaml: "security:\n  level: 1\n",
                 error: "scenarios/x.yaml:1:1: security: unknown key; allowed: \(Self.topKeys)", line: #line),
        ])
    }

    func testWrongTypes() {
        check([
            Case(yaml: "federation:\n  rounds: abc\n",
                 error: "scenarios/x.yaml:2:11: federation.rounds: expected an integer in 1...1000000, got \"abc\"",
                 line: #line),
            Case(yaml: "federation:\n  rounds: 3.0\n",
                 error: "scenarios/x.yaml:2:11: federation.rounds: expected an integer in 1...1000000, got \"3.0\"",
                 line: #line),
            Case(yaml: "federation:\n  batch_size: \"5\"\n",
                 error: "scenarios/x.yaml:2:15: federation.batch_size: expected an integer >= 1, "
                    + "got \"5\" (quoted, so a string)", line: #line),
            Case(yaml: "federation:\n  learning_rate: fast\n",
                 error: "scenarios/x.yaml:2:18: federation.learning_rate: expected a number > 0, got \"fast\"",
                 line: #line),
            Case(yaml: "federation:\n  quorum: .nan\n",
                 error: "scenarios/x.yaml:2:11: federation.quorum: expected a number in (0, 1], got \".nan\"",
                 line: #line),
            Case(yaml: "seed: 1.5\n",
                 error: "scenarios/x.yaml:1:7: seed: expected an integer in 0...18446744073709551615, got \"1.5\"",
                 line: #line),
            Case(yaml: "model:\n  hidden: 64\n",
                 error: "scenarios/x.yaml:2:11: model.hidden: expected a list of integers like [64, 32], got \"64\"",
                 line: #line),
            Case(yaml: "model:\n  hidden: [64, x]\n",
                 error: "scenarios/x.yaml:2:16: model.hidden[1]: expected an integer in 1...1000000, got \"x\"",
                 line: #line),
            Case(yaml: "model:\n  kind: [mlp]\n",
                 error: "scenarios/x.yaml:2:9: model.kind: expected one of logistic, mlp, cnn, layers, got a list", line: #line),
            Case(yaml: "name: {a: 1}\n",
                 error: "scenarios/x.yaml:1:7: name: expected a string, got a mapping", line: #line),
            Case(yaml: "federation: 5\n",
                 error: "scenarios/x.yaml:1:13: federation: expected a mapping of keys, got \"5\"", line: #line),
            Case(yaml: "- a\n- b\n",
                 error: "scenarios/x.yaml:1:1: the scenario must be a mapping of keys, got a list", line: #line),
        ])
    }

    func testOutOfRange() {
        check([
            Case(yaml: "federation:\n  fraction: 1.5\n",
                 error: "scenarios/x.yaml:2:13: federation.fraction: 1.5 is out of range; "
                    + "allowed: 0 < fraction <= 1", line: #line),
            Case(yaml: "federation:\n  momentum: 1\n",
                 error: "scenarios/x.yaml:2:13: federation.momentum: 1 is out of range; "
                    + "allowed: 0 <= momentum < 1", line: #line),
            Case(yaml: "federation:\n  clients: 0\n",
                 error: "scenarios/x.yaml:2:12: federation.clients: 0 is out of range; "
                    + "allowed: 1 <= clients <= 100000", line: #line),
            Case(yaml: "federation:\n  deadline: -2\n",
                 error: "scenarios/x.yaml:2:13: federation.deadline: -2 is out of range; allowed: deadline > 0",
                 line: #line),
            Case(yaml: "dataset:\n  test_fraction: 1\n",
                 error: "scenarios/x.yaml:2:18: dataset.test_fraction: 1 is out of range; "
                    + "allowed: 0 < test_fraction < 1", line: #line),
            Case(yaml: "partition:\n  alpha: 0\n",
                 error: "scenarios/x.yaml:2:10: partition.alpha: 0 is out of range; allowed: alpha > 0",
                 line: #line),
            Case(yaml: "seed: -1\n",
                 error: "scenarios/x.yaml:1:7: seed: -1 is out of range; "
                    + "allowed: 0 <= seed <= 18446744073709551615", line: #line),
            Case(yaml: "transport:\n  port: 70000\n",
                 error: "scenarios/x.yaml:2:9: transport.port: 70000 is out of range; allowed: 0 <= port <= 65535",
                 line: #line),
            Case(yaml: "model:\n  hidden: [64, 0]\n",
                 error: "scenarios/x.yaml:2:16: model.hidden[1]: 0 is out of range; "
                    + "allowed: 1 <= hidden[1] <= 1000000", line: #line),
            Case(yaml: "model:\n  hidden: [1, 1, 1, 1, 1, 1, 1, 1, 1]\n",
                 error: "scenarios/x.yaml:2:11: model.hidden: has 9 values; allowed: 0 to 8 values", line: #line),
            Case(yaml: "federation:\n  rounds: 99999999999999999999999\n",
                 error: "scenarios/x.yaml:2:11: federation.rounds: 99999999999999999999999 is out of range; "
                    + "allowed: 1 <= rounds <= 1000000", line: #line),
            Case(yaml: "name: a/b\n",
                 error: "scenarios/x.yaml:1:7: name: \"a/b\" is not a valid run name; allowed: letters, digits, "
                    + "\".\", \"_\" and \"-\", not starting with \".\", at most 128 characters", line: #line),
        ])
    }

    func testUnknownEnumValues() {
        check([
            Case(yaml: "model:\n  kind: resnet\n",
                 error: "scenarios/x.yaml:2:9: model.kind: unknown value \"resnet\"; allowed: logistic, mlp, cnn, layers", line: #line),
            Case(yaml: "dataset:\n  kind: emnist\n",
                 error: "scenarios/x.yaml:2:9: dataset.kind: unknown value \"emnist\"; did you mean mnist? "
                    + "allowed: digits, idx, csv, mnist, fashion, cifar10, synthetic", line: #line),
            Case(yaml: "dataset:\n  normalize: zscore\n",
                 error: "scenarios/x.yaml:2:14: dataset.normalize: unknown value \"zscore\"; "
                    + "allowed: none, minmax, standard, pixels, channels", line: #line),
            Case(yaml: "partition: {kind: noniid}\n",
                 error: "scenarios/x.yaml:1:19: partition.kind: unknown value \"noniid\"; "
                    + "allowed: iid, dirichlet, shards, sorted", line: #line),
            Case(yaml: "transport:\n  kind: udp\n",
                 error: "scenarios/x.yaml:2:9: transport.kind: unknown value \"udp\"; allowed: ipc, tcp", line: #line),
        ])
    }

    func testCrossFieldChecks() {
        check([
            Case(yaml: "dataset:\n  kind: csv\n",
                 error: "scenarios/x.yaml:2:9: dataset.path: missing; dataset.kind csv needs path: <file.csv>, "
                    + "relative to the scenario file", line: #line),
            Case(yaml: "dataset:\n  kind: idx\n  train_images: a.idx\n",
                 error: "scenarios/x.yaml:2:9: dataset.train_labels: missing; dataset.kind idx needs train_images "
                    + "and train_labels (IDX files, relative to the scenario file)", line: #line),
            Case(yaml: "dataset:\n  test_images: t.idx\n",
                 error: "scenarios/x.yaml:2:16: dataset.test_labels: missing; test_images is given, so test_labels "
                    + "is needed too (both or neither)", line: #line),
            Case(yaml: "federation:\n  clients: 10\n  processes: 12\n",
                 error: "scenarios/x.yaml:3:14: federation.processes: 12 is more than federation.clients (10); "
                    + "allowed: 1 <= processes <= clients", line: #line),
            Case(yaml: "dataset:\n  synthetic: {samples: 3, classes: 4}\n",
                 error: "scenarios/x.yaml:2:24: dataset.synthetic.samples: 3 is less than synthetic.classes (4); "
                    + "allowed: samples >= classes", line: #line),
        ])
    }

    func testYAMLSyntaxErrorsAreOneLine() {
        check([
            Case(yaml: "federation:\n  rounds: [1, 2\n",
                 error: "scenarios/x.yaml:3:1: invalid YAML: while parsing a flow sequence (at 2:11): "
                    + "did not find expected ',' or ']'", line: #line),
            Case(yaml: "federation:\n  rounds: 3\n clients: 2\n",
                 error: "scenarios/x.yaml:3:2: invalid YAML: while parsing a block mapping (at 1:1): "
                    + "did not find expected key", line: #line),
            Case(yaml: "federation:\n\trounds: 3\n",
                 error: "scenarios/x.yaml:2:1: invalid YAML: while scanning for the next token (at 2:1): "
                    + "found character that cannot start any token", line: #line),
            Case(yaml: "seed: 1\nseed: 2\n",
                 error: "scenarios/x.yaml:1:1: duplicate key \"seed\"; each key may appear once in a mapping",
                 line: #line),
        ])
    }

    func testOverrideErrorsNameTheOverride() {
        check([
            Case(yaml: "", overrides: ["federation.rounds=abc"],
                 error: "--set federation.rounds=abc: federation.rounds: expected an integer in 1...1000000, "
                    + "got \"abc\"", line: #line),
            Case(yaml: "federation:\n  rounds: 5\n", overrides: ["federation.clinets=3"],
                 error: "--set federation.clinets=3: federation.clinets: unknown key; did you mean clients? allowed: \(Self.federationKeys)",
                 line: #line),
            Case(yaml: "", overrides: ["foo.bar=1"],
                 error: "--set foo.bar=1: foo: unknown key; allowed: \(Self.topKeys)", line: #line),
            Case(yaml: "", overrides: ["rounds"],
                 error: "--set rounds: expected key.path=value; allowed: e.g. federation.rounds=3", line: #line),
            Case(yaml: "", overrides: ["federation..rounds=3"],
                 error: "--set federation..rounds=3: federation..rounds: not a key path; allowed: names of letters, "
                    + "digits and _ joined by dots, a list entry as name[i], e.g. federation.rounds=3 or attack[1].z=5",
                 line: #line),
            Case(yaml: "", overrides: ["model.hidden=[32,"],
                 error: "--set model.hidden=[32,: model.hidden: invalid YAML: while parsing a flow node: "
                    + "did not find expected node content", line: #line),
            Case(yaml: "federation:\n  clients: 10\n", overrides: ["federation.processes=20"],
                 error: "--set federation.processes=20: federation.processes: 20 is more than federation.clients "
                    + "(10); allowed: 1 <= processes <= clients", line: #line),
            Case(yaml: "federation:\n  rounds: 5\n", overrides: ["federation.rounds.x=1"],
                 error: "--set federation.rounds.x=1: federation.rounds: is \"5\" in the scenario, not a mapping; "
                    + "allowed: override keys inside a mapping section", line: #line),
            Case(yaml: "dataset:\n  normalize: none\n", overrides: ["dataset.kind=csv"],
                 error: "--set dataset.kind=csv: dataset.path: missing; dataset.kind csv needs path: <file.csv>, "
                    + "relative to the scenario file", line: #line),
            Case(yaml: "", overrides: ["model={kind: resnet}"],
                 error: "--set model={kind: resnet}: model.kind: unknown value \"resnet\"; allowed: logistic, mlp, cnn, layers",
                 line: #line),
        ])
    }

    func testMissingFile() {
        XCTAssertThrowsError(try Scenario.load(path: "scenarios/does-not-exist.yaml")) { error in
            XCTAssertEqual((error as? ScenarioError)?.description,
                           "scenarios/does-not-exist.yaml: cannot read: No such file or directory (ENOENT)")
        }
        XCTAssertThrowsError(try Scenario.load(path: NSTemporaryDirectory())) { error in
            XCTAssertEqual((error as? ScenarioError)?.description,
                           "\(NSTemporaryDirectory()): cannot read: Is a directory (EISDIR)")
        }
    }

    /// FedSGD and worker momentum: the combinations that mean nothing are refused at the key.
    func testFedSGDAndWorkerMomentumCombinations() {
        check([
            Case(yaml: "federation:\n  mode: fedsdg\n",
                 error: "scenarios/x.yaml:2:9: federation.mode: unknown value \"fedsdg\"; did you mean fedsgd? allowed: fedavg, fedsgd", line: #line),
            Case(yaml: "federation:\n  momentum_buffer: worker\n",
                 error: "scenarios/x.yaml:2:20: federation.momentum_buffer: worker momentum keeps a buffer of gradients across "
                    + "rounds and needs federation.mode: fedsgd (in fedavg mode the momentum is local to a round)", line: #line),
            Case(yaml: "federation:\n  mode: fedsgd\n  momentum_buffer: local\n",
                 error: "scenarios/x.yaml:3:20: federation.momentum_buffer: local momentum would restart at zero for the one "
                    + "gradient a fedsgd client computes per round; use worker (momentum: 0 for plain SGD)", line: #line),
            Case(yaml: "federation:\n  mode: fedsgd\n  momentum_buffer: wroker\n",
                 error: "scenarios/x.yaml:3:20: federation.momentum_buffer: unknown value \"wroker\"; did you mean worker? allowed: local, worker", line: #line),
            Case(yaml: "federation:\n  momentum_dampening: true\n",
                 error: "scenarios/x.yaml:2:23: federation.momentum_dampening: applies to the worker momentum buffer only "
                    + "(federation.mode: fedsgd, momentum_buffer: worker)", line: #line),
            Case(yaml: "federation:\n  mode: fedsgd\n  momentum_dampening: 1.5\n",
                 error: "scenarios/x.yaml:3:23: federation.momentum_dampening: expected true or false, got \"1.5\"", line: #line),
            Case(yaml: "federation:\n  mode: fedsgd\n  local_epochs: 5\n",
                 error: "scenarios/x.yaml:3:17: federation.local_epochs: 5 local epochs in fedsgd mode, which takes one "
                    + "minibatch gradient per round; leave it out (or 1), or use mode: fedavg", line: #line),
            Case(yaml: "federation:\n  mode: fedsgd\n  momentum: 1\n",
                 error: "scenarios/x.yaml:3:13: federation.momentum: 1 is out of range; allowed: 0 <= momentum < 1", line: #line),
            Case(yaml: "federation: {clients: 4}\n", overrides: ["federation.mode=fedsgd", "federation.local_epochs=2"],
                 error: "--set federation.local_epochs=2: federation.local_epochs: 2 local epochs in fedsgd mode, which takes one "
                    + "minibatch gradient per round; leave it out (or 1), or use mode: fedavg", line: #line),
        ])
    }
}
