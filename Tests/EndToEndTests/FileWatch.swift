import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Waits for a file to reach a state (a line in a log, a row in a CSV, a file appearing),
/// woken by inotify when the file or a folder on the way to it changes, instead of re-reading
/// it on a timer.
enum FileWatch {
    private static let mask = UInt32(IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO)

    /// Re-reads `path` (an absent file reads as "") whenever it may have changed, until
    /// `condition` holds for its text or the deadline passes. Returns the text that satisfied
    /// the condition, or nil at the deadline.
    static func wait(for path: String, deadline: Deadline, until condition: (String) -> Bool) throws -> String? {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw HarnessError("inotify_init1: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            // Watch first, then look: a change after the look wakes the poll below.
            try watchNearestFolder(of: path, fd: fd)
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if condition(text) { return text }
            guard try ProcessWatch.waitReadable(fd, deadline: deadline) else { return nil }
            while read(fd, &buffer, buffer.count) > 0 {}   // drain; what changed does not matter
        }
    }

    /// Watches the deepest existing folder on the way to `path` (again on every wake-up, so
    /// that a folder created meanwhile is watched too; watching a folder twice is a no-op).
    private static func watchNearestFolder(of path: String, fd: Int32) throws {
        var folder = (path as NSString).deletingLastPathComponent
        while inotify_add_watch(fd, folder, mask) < 0 {
            guard errno == ENOENT, folder != "/", !folder.isEmpty else {
                throw HarnessError("inotify_add_watch(\(folder)): \(String(cString: strerror(errno)))")
            }
            folder = (folder as NSString).deletingLastPathComponent
        }
    }
}
