import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh folder `/tmp/<prefix>-XXXXXX` (mkdtemp), short enough for ipc:// socket paths
/// (which must stay under about 100 bytes). The test that makes one removes it, with
/// everything in it, in a `defer` or its tearDown:
///
///     let dir = try TemporaryDirectory(prefix: "fw")
///     defer { dir.remove() }
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// The folder could not be created.
    public struct CreationError: Error, CustomStringConvertible {
        public let template: String
        public let code: Int32
        public var description: String { "mkdtemp(\(template)): \(String(cString: strerror(code)))" }
    }

    public init(prefix: String = "fedtest") throws {
        let template = "/tmp/\(prefix)-XXXXXX"
        var buffer = Array(template.utf8CString)
        let made = buffer.withUnsafeMutableBufferPointer { b in b.baseAddress.map { mkdtemp($0) != nil } ?? false }
        guard made else { throw CreationError(template: template, code: errno) }
        path = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `path/relative`.
    public func path(_ relative: String) -> String { path + "/" + relative }

    /// Removes the folder and everything in it (quietly when it is already gone).
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
