#if canImport(Glibc)
import Glibc
#endif
import FedCore
import FedResults
import Foundation

/// A run's private folder under /tmp (`/tmp/fedsim-XXXXXX`, from mkdtemp) for its ipc://
/// sockets, whose paths must stay short (about 107 bytes), and the hub's ready file. The
/// caller removes it when the run ends.
enum RuntimeDirectory {
    static func create() throws -> String {
        var template = Array("/tmp/fedsim-XXXXXX".utf8CString)
        guard let dirPointer = mkdtemp(&template) else {
            throw ResultsError.cannotWriteFile(path: "/tmp/fedsim-XXXXXX", reason: systemErrorText(errno))
        }
        return String(cString: dirPointer)
    }
}
