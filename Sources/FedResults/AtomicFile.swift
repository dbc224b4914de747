#if canImport(Glibc)
import Glibc
#endif
import FedCore
import Foundation

/// Writes a file so that a reader sees the old version or the new one, never a mix: a
/// temporary file beside it, fsync, rename. Errors name the file and the system's reason
/// ("No space left on device", "Too many open files").
public enum AtomicFile {
    /// `shared`: other processes, perhaps on other hosts over a shared file system, may write
    /// the same file at the same time (shards of one comparison writing its compare.yaml): the
    /// temporary file is then named after this host and process, so that writers never share it.
    public static func write(_ bytes: Data, to path: String, shared: Bool = false) throws {
        let tmp = shared ? path + ".tmp." + writerTag() : path + ".tmp"
        // Out of descriptors (EMFILE/ENFILE) is usually a moment: a burst of connections the
        // transport is about to close. Try again for up to half a second before giving up.
        var fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        var attempts = 0
        while fd < 0, errno == EMFILE || errno == ENFILE, attempts < 50 {
            attempts += 1
            usleep(10_000)
            fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw ResultsError.cannotWriteFile(path: tmp, reason: systemErrorText(errno)) }
        var failure = bytes.withUnsafeBytes { writeAll(fd, $0) }
        if failure == nil, fsync(fd) != 0 { failure = systemErrorText(errno) }
        close(fd)
        if let failure {
            unlink(tmp)
            throw ResultsError.cannotWriteFile(path: tmp, reason: failure)
        }
        guard rename(tmp, path) == 0 else {
            let reason = systemErrorText(errno)
            unlink(tmp)
            throw ResultsError.cannotWriteFile(path: path, reason: reason)
        }
    }

    /// `<host>.<pid>`: unique among the processes writing one folder.
    private static func writerTag() -> String {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0
            ? String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
        return host + "." + String(getpid())
    }
}
