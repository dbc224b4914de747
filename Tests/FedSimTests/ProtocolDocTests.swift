import FedCore
@testable import FedSim
@testable import FedWire
import Foundation
import XCTest

/// docs/PROTOCOL.md cannot drift from the code: its header table, its kinds table, every
/// `vector:` block, every rejection token the coordinator and the codec count, the session
/// document's example keys, the sketch's struct format and the fingerprint's definition are
/// read from the page and checked against the implementation.
final class ProtocolDocTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    private func doc() throws -> String {
        try String(contentsOfFile: Self.repository + "/docs/PROTOCOL.md", encoding: .utf8)
    }

    /// The text of section `number` (from its `## N.` heading to the next `## `).
    private func section(_ number: Int) throws -> String {
        let text = try doc()
        let start = try XCTUnwrap(text.range(of: "\n## \(number). "), "no section \(number)")
        let rest = text[start.upperBound...]
        let end = rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// The rows of the first Markdown table in `text` (cells trimmed, header and rule skipped).
    private func tableRows(_ text: String) -> [[String]] {
        let lines = text.split(separator: "\n").map(String.init)
        guard let first = lines.firstIndex(where: { $0.hasPrefix("|") }) else { return [] }
        var rows: [[String]] = []
        for line in lines[(first + 2)...] {
            guard line.hasPrefix("|") else { break }
            rows.append(line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) })
        }
        return rows
    }

    func testHeaderTableMatchesTheEncodedHeader() throws {
        let rows = tableRows(try section(3))
        XCTAssertEqual(rows.count, 9, "the header table has 9 fields")
        let frames = MessageCodec.encode(.update(round: 0x0102_0304, clientId: 0x0506_0708, samples: 0x090A_0B0C,
                                                 trainLoss: 1.0, delta: [1, 2, 3]))
        let header = frames[0]
        XCTAssertEqual(header.count, MessageCodec.headerSize)
        let expected: [String: UInt64] = [
            "version": UInt64(MessageCodec.version), "kind": 4, "flags": 0, "round": 0x0102_0304,
            "client id": 0x0506_0708, "samples": 0x090A_0B0C, "count": 3, "aux": UInt64(Float(1).bitPattern),
        ]
        var covered = 0
        for row in rows {
            let offset = try XCTUnwrap(Int(row[0])), size = try XCTUnwrap(Int(row[1])), field = row[3]
            covered += size
            let bytes = header[offset..<(offset + size)]
            if field == "magic" {
                XCTAssertEqual(Array(bytes), Array("FSIM".utf8))
                continue
            }
            let value = bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            XCTAssertEqual(value, expected[field], "header field \(field) at offset \(offset), \(size) bytes")
        }
        XCTAssertEqual(covered, MessageCodec.headerSize, "the fields tile the header")
        let version = try XCTUnwrap(rows.first { $0[3] == "version" })
        XCTAssertEqual(version[4], "`\(MessageCodec.version)`")
        XCTAssertTrue(try section(3).contains("`'<4sHBBIIIIQ'`"))
        XCTAssertTrue(try doc().hasPrefix("# fedsim wire protocol, version \(MessageCodec.version)\n"))
    }

    func testKindsTableMatchesTheCodec() throws {
        let rows = tableRows(try section(4))
        XCTAssertEqual(rows.count, MessageKind.allCases.count)
        for row in rows {
            let kind = try XCTUnwrap(MessageKind(rawValue: try XCTUnwrap(UInt8(row[1]))), "kind \(row[1])")
            XCTAssertEqual(row[0], kind.description.uppercased())
            // "header, ids, f32 model [, one state per id]": the frames without the optional part.
            let frames = row[3].components(separatedBy: " [")[0].split(separator: ",")
            XCTAssertEqual(frames.count, kind.frameCount, "frames of \(row[0]): \(row[3])")
        }
    }

    // MARK: - Test vectors

    /// Every ```hex block: its `vector:` line and its frames.
    private func vectors() throws -> [(spec: String, frames: [[UInt8]])] {
        let text = try doc()
        var out: [(String, [[UInt8]])] = []
        var rest = text[...]
        while let open = rest.range(of: "```hex\n") {
            let body = rest[open.upperBound...]
            let close = try XCTUnwrap(body.range(of: "\n```"))
            let lines = body[..<close.lowerBound].split(separator: "\n").map(String.init)
            let spec = try XCTUnwrap(lines.first.flatMap { $0.hasPrefix("vector: ") ? String($0.dropFirst(8)) : nil },
                                     "a hex block without a vector: line")
            var frames: [[UInt8]] = []
            for line in lines.dropFirst() {
                var hex = line.trimmingCharacters(in: .whitespaces)
                if hex.hasPrefix("frame ") {
                    frames.append([])
                    hex = String(hex[hex.index(after: try XCTUnwrap(hex.firstIndex(of: ":")))...])
                }
                for byte in hex.split(separator: " ") { frames[frames.count - 1].append(try XCTUnwrap(UInt8(byte, radix: 16))) }
            }
            out.append((spec, frames))
            rest = body[close.upperBound...]
        }
        return out
    }

    /// The message a `vector:` line names ("update round=... delta=1.0,-2.0"; `reason=` and
    /// `session=` take the rest of the line).
    private func message(_ spec: String) throws -> (Message?, legacyReason: String?) {
        let kind = String(spec.prefix { $0 != " " })
        var fields: [String: String] = [:]
        var rest = spec.dropFirst(kind.count).trimmingCharacters(in: .whitespaces)[...]
        while !rest.isEmpty {
            let key = String(rest.prefix { $0 != "=" })
            rest = rest.dropFirst(key.count + 1)
            if key == "reason" || key == "session" {
                fields[key] = String(rest)
                break
            }
            let value = String(rest.prefix { $0 != " " })
            fields[key] = value
            rest = rest.dropFirst(value.count).drop { $0 == " " }
        }
        func int(_ k: String) throws -> UInt64 {
            let v = try XCTUnwrap(fields[k], "\(spec): no \(k)")
            return try XCTUnwrap(v.hasPrefix("0x") ? UInt64(v.dropFirst(2), radix: 16) : UInt64(v), "\(spec): \(k)")
        }
        func ids() throws -> [UInt32] { try XCTUnwrap(fields["ids"]).split(separator: ",").map { try XCTUnwrap(UInt32($0)) } }
        func floats(_ k: String) throws -> [Float] { try XCTUnwrap(fields[k]).split(separator: ",").map { try XCTUnwrap(Float($0)) } }
        switch kind {
        case "hello": return (.hello(fingerprint: try int("fingerprint"), clientIds: try ids()), nil)
        case "welcome":
            return (.welcome(fingerprint: try int("fingerprint"), parameterCount: UInt32(try int("parameters")),
                             clientIds: try ids(), session: try XCTUnwrap(fields["session"])), nil)
        case "task": return (.task(round: UInt32(try int("round")), clientIds: try ids(), model: try floats("model")), nil)
        case "update":
            return (.update(round: UInt32(try int("round")), clientId: UInt32(try int("client")),
                            samples: UInt32(try int("samples")), trainLoss: try floats("loss")[0], delta: try floats("delta")), nil)
        case "heartbeat": return (.heartbeat(round: UInt32(try int("round"))), nil)
        case "shutdown": return (.shutdown(reason: try XCTUnwrap(fields["reason"])), nil)
        case "legacy_refusal": return (nil, try XCTUnwrap(fields["reason"]))
        default: throw XCTSkip("unknown vector kind \(kind)")
        }
    }

    func testEveryTestVectorEncodesAndDecodes() throws {
        let all = try vectors()
        XCTAssertEqual(Set(all.map { String($0.spec.prefix { $0 != " " }) }),
                       ["hello", "welcome", "task", "update", "heartbeat", "shutdown", "legacy_refusal"],
                       "one vector per kind and the version-1 refusal")
        for (spec, frames) in all {
            let (m, legacy) = try message(spec)
            if let legacy {
                XCTAssertEqual(MessageCodec.legacyRefusal(legacy), frames, spec)
                XCTAssertThrowsError(try MessageCodec.decode(frames)) { XCTAssertEqual(($0 as? CodecError)?.reasonCode, "bad_version") }
                continue
            }
            let message = try XCTUnwrap(m)
            XCTAssertEqual(MessageCodec.encode(message), frames, spec)
            XCTAssertEqual(try MessageCodec.decode(frames), message, spec)
        }
        // The coordinator's refusal of a version-1 client is the documented one.
        let refusal = try XCTUnwrap(all.first { $0.spec.hasPrefix("legacy_refusal") })
        XCTAssertTrue(refusal.spec.contains("protocol version \(MessageCodec.previousVersion) is not supported"))
    }

    // MARK: - Tokens

    /// Every reason the coordinator counts (read from its sources) and every codec reason is
    /// documented in sections 6 or 9 as a `token`.
    func testEveryRejectionTokenIsDocumented() throws {
        let documented = try section(6) + section(9)
        var tokens: Set<String> = []
        let folder = Self.repository + "/Sources/FedSim/Coordinator"
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            let regex = try NSRegularExpression(pattern: #"(?:countRejection|reject)\("([a-z_]+)""#)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                tokens.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        XCTAssertTrue(tokens.isSuperset(of: ["wrong_samples", "key_mismatch", "unauthorized_key", "unauthenticated", "fingerprint"]),
                      "\(tokens.sorted())")
        let codec: [CodecError] = [.noFrames, .headerSize(got: 0), .badMagic(got: []), .unsupportedVersion(got: 0),
                                   .unknownKind(got: 0), .badFlags(got: 0), .frameCount(kind: .hello, expected: 0, got: 0),
                                   .bodySize(kind: .hello, expectedBytes: 0, gotBytes: 0),
                                   .misalignedFrame(kind: .task, frame: 1, gotBytes: 0),
                                   .reservedField(kind: .hello, field: "", got: 0), .tooLarge(what: "", limit: 0, got: 0),
                                   .nonFinite(index: 0, kind: .update), .nonFiniteLoss(bits: 0), .badUTF8,
                                   .emptyClientIds(kind: .hello), .duplicateClientId(kind: .hello, id: 0)]
        tokens.formUnion(codec.map(\.reasonCode))
        for token in tokens.sorted() {
            XCTAssertTrue(documented.contains("`\(token)`"), "docs/PROTOCOL.md sections 6 and 9 do not name `\(token)`")
        }
        XCTAssertFalse(documented.contains("`refused`"), "no `refused` token is counted")
        XCTAssertTrue(try section(4).contains("`run complete`"))
    }

    // MARK: - Session document and fingerprint

    private func scenario() throws -> Scenario {
        try Scenario.parse(yaml: """
            name: doc
            seed: 3
            dataset: {kind: digits, normalize: minmax}
            model: {kind: mlp, hidden: [5]}
            federation: {clients: 3, rounds: 1}
            """, file: "doc.yaml", baseDirectory: NSTemporaryDirectory())
    }

    /// The key paths of a JSON value (objects by key, arrays by their first element).
    private func keyPaths(_ value: Any, _ prefix: String = "") -> Set<String> {
        if let object = value as? [String: Any] {
            return object.reduce(into: Set<String>()) { out, entry in
                let path = prefix.isEmpty ? entry.key : prefix + "." + entry.key
                out.insert(path)
                out.formUnion(keyPaths(entry.value, path))
            }
        }
        if let array = value as? [Any], let first = array.first { return keyPaths(first, prefix + "[]") }
        return []
    }

    func testSessionDocumentExampleHasTheKeysTheCoordinatorWrites() throws {
        let text = try section(4)
        let open = try XCTUnwrap(text.range(of: "```json\n"))
        let close = try XCTUnwrap(text[open.upperBound...].range(of: "\n```"))
        let example = try JSONSerialization.jsonObject(with: Data(text[open.upperBound..<close.lowerBound].utf8))
        // A CSV dataset, as in the example (its `path` is written).
        let folder = NSTemporaryDirectory() + "fedsim-protocol-doc-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let rows = (0..<40).map { i in "\(Double(i % 7) / 2),\(Double(i % 5)),\(i % 2)" }
        try (rows.joined(separator: "\n") + "\n").write(toFile: folder + "/d.csv", atomically: true, encoding: .utf8)
        let s = try Scenario.parse(yaml: """
            name: doc
            dataset: {kind: csv, path: d.csv, normalize: standard}
            model: {kind: logistic}
            federation: {clients: 2, rounds: 1}
            """, file: "doc.yaml", baseDirectory: folder)
        let data = try FederationData.prepare(s)
        var shards: [Int: SessionDocument.ClientShard] = [:]
        let written = try JSONSerialization.jsonObject(with: Data(SessionDocument(scenario: s, data: data, ids: [1],
                                                                                  shards: &shards).json().utf8))
        XCTAssertEqual(keyPaths(example), keyPaths(written), "the documented example has exactly the written keys")
    }

    func testSessionDocumentDescribesTheShardAndTheLayout() throws {
        let s = try scenario()
        let data = try FederationData.prepare(s)
        var shards: [Int: SessionDocument.ClientShard] = [:]
        let doc = SessionDocument(scenario: s, data: data, ids: [2, 0], shards: &shards)
        XCTAssertEqual(doc.data.clients.map(\.id), [0, 2])
        for shard in doc.data.clients {
            let local = data.clientData(shard.id)
            XCTAssertEqual(shard.samples, local.count)
            XCTAssertEqual(shard.samples, data.partition.sizes[shard.id])
            XCTAssertEqual(shard.rows.count, local.count)
            // Rows are rows of the whole digits set: the raw set, normalised, at those rows is the shard.
            let raw = try DigitsData.load()
            var rebuilt = raw.subset(shard.rows)
            data.normalizer?.apply(to: &rebuilt)
            XCTAssertEqual(rebuilt.features, local.features)
            XCTAssertEqual(rebuilt.labels, local.labels)
            XCTAssertEqual(SessionDocument.crc32(rebuilt), shard.crc32)
        }
        // No shard row is a test row.
        let testRows = Set((0..<data.test.count).map(data.test.sourceRow))
        XCTAssertTrue(doc.data.clients.allSatisfy { Set($0.rows).isDisjoint(with: testRows) })
        XCTAssertEqual(doc.data.split, "all")
        XCTAssertEqual(doc.model.blocks.map(\.name), ["dense0.weight", "dense0.bias", "dense1.weight", "dense1.bias"])
        XCTAssertEqual(doc.model.blocks.map(\.offset), [0, 64 * 5, 64 * 5 + 5, 64 * 5 + 5 + 50])
        XCTAssertEqual(doc.model.blocks[0].pytorch.shape, [5, 64])
        XCTAssertEqual(doc.model.blocks[0].pytorch.transform, "transpose")
        XCTAssertEqual(doc.model.blocks[1].pytorch.transform, "none")
        XCTAssertEqual(doc.model.hidden, [5])
        XCTAssertEqual(doc.liveness.silenceTimeout, s.federation.heartbeatTimeout)
    }

    /// A `Sequential` model's document lists its layers in order with their shapes and sizes
    /// (what a foreign client needs beyond the blocks); logistic regression and the MLP list none.
    func testSessionDocumentListsTheLayersOfACNN() throws {
        let s = try Scenario.parse(yaml: """
            name: doc-cnn
            dataset: {kind: digits, normalize: minmax}
            model: {kind: cnn, conv: [4], kernel: 3, padding: 1, pool: 2, dense: [16], dropout: 0.25}
            federation: {clients: 2, rounds: 1}
            """, file: "doc.yaml", baseDirectory: NSTemporaryDirectory())
        let data = try FederationData.prepare(s)
        var shards: [Int: SessionDocument.ClientShard] = [:]
        let doc = SessionDocument(scenario: s, data: data, ids: [0], shards: &shards)
        let layers = try XCTUnwrap(doc.model.layers)
        XCTAssertEqual(layers.map(\.kind), ["conv", "relu", "maxpool", "dropout", "flatten", "dense", "relu", "dropout", "dense"])
        XCTAssertEqual(layers[0].inputShape, [1, 8, 8])
        XCTAssertEqual(layers[0].outputShape, [4, 8, 8])
        XCTAssertEqual([layers[0].channels, layers[0].kernel, layers[0].stride, layers[0].padding], [4, 3, 1, 1])
        XCTAssertEqual([layers[2].kernel, layers[2].stride], [2, 2])
        XCTAssertEqual(layers[2].outputShape, [4, 4, 4])
        XCTAssertEqual(layers[3].p, 0.25)
        XCTAssertEqual(layers[5].inputShape, [64])
        XCTAssertEqual(layers[8].outputShape, [10])
        XCTAssertEqual(doc.model.blocks.map(\.name), ["conv0.weight", "conv0.bias", "dense0.weight", "dense0.bias",
                                                      "dense1.weight", "dense1.bias"])
        XCTAssertEqual(doc.model.blocks[0].shape, [4, 1, 3, 3])
        XCTAssertNil(doc.model.hidden)
        XCTAssertTrue(doc.json().contains(#""kind":"conv","output_shape":[4,8,8],"padding":1,"stride":1}"#), doc.json())
        let mlp = try scenario()
        XCTAssertNil(SessionDocument(scenario: mlp, data: try FederationData.prepare(mlp), ids: [0], shards: &shards).model.layers)
    }

    /// Section 4's definition of the fingerprint, applied to the resolved form, gives the fingerprint.
    func testFingerprintIsFNV1aOfTheDocumentedBytes() throws {
        let s = try scenario()
        var kept: [Substring] = []
        var inTransport = false
        for line in s.resolvedYAML().split(separator: "\n", omittingEmptySubsequences: false) {
            if inTransport && line.hasPrefix(" ") { continue }
            inTransport = line.hasPrefix("transport:")
            if inTransport || line.hasPrefix("output:") { continue }
            kept.append(line)
        }
        let text = kept.filter { !$0.isEmpty }.map { $0 + "\n" }.joined()
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        XCTAssertEqual(h, s.fingerprint)
    }
}
