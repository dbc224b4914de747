@testable import FedSim
import FedWire
import Foundation
import Logging
import XCTest

/// Shared by the in-memory tests (coordinator, client runtime, hub): tiny scenarios, and
/// reading what a memory transport sent. Nothing here opens a socket or starts a process.
enum Tiny {
    /// A scenario from YAML; unless `yaml` has its own, the dataset is synthetic Gaussian blobs
    /// (240 samples, 4 features, 2 classes) and the model logistic (10 parameters).
    static func scenario(_ yaml: String, name: String = "tiny") throws -> Scenario {
        var text = "name: \(name)\n" + yaml + "\n"
        if !yaml.contains("dataset:") { text += "dataset: {kind: synthetic, synthetic: {samples: 240, features: 4, classes: 2}}\n" }
        if !yaml.contains("model:") { text += "model: {kind: logistic}\n" }
        return try Scenario.parse(yaml: text, file: "\(name).yaml", baseDirectory: NSTemporaryDirectory())
    }

    /// Silent: the tests assert on what was sent, not on the log.
    static let logger = Logger(label: "memory-test", factory: { _ in SwiftLogNoOpLogHandler() })
}

extension MemoryServerTransport {
    /// What the server sent since the last call, decoded (the tests send only valid messages).
    func takeMessages() -> [(identity: [UInt8], message: Message)] {
        takeSent().compactMap { sent in (try? MessageCodec.decode(sent.frames)).map { (sent.identity, $0) } }
    }
}

extension MemoryClientTransport {
    /// What was sent since the last call, decoded.
    func takeMessages() -> [Message] {
        takeSent().compactMap { try? MessageCodec.decode($0) }
    }
}

extension Message {
    var isHeartbeat: Bool { if case .heartbeat = self { return true } else { return false } }
}
