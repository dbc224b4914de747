#if canImport(Glibc)
import Glibc
#endif

/// The system's reason for a failed call, as one phrase with its symbolic name where it is one
/// a user acts on: `No space left on device (ENOSPC)`, `Too many open files (EMFILE)`. Every
/// "cannot read/write" error in fedsim ends with this.
public func systemErrorText(_ code: Int32 = errno) -> String {
    let text = String(cString: strerror(code))
    let names: [Int32: String] = [
        ENOSPC: "ENOSPC", EMFILE: "EMFILE", ENFILE: "ENFILE", EDQUOT: "EDQUOT", EROFS: "EROFS",
        EACCES: "EACCES", EPERM: "EPERM", ENOENT: "ENOENT", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR",
        ENOMEM: "ENOMEM", EIO: "EIO", EEXIST: "EEXIST",
    ]
    return names[code].map { "\(text) (\($0))" } ?? text
}

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR; nil on success, else the
/// system's reason (`systemErrorText`).
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> String? {
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            return systemErrorText(errno)
        }
        offset += n
    }
    return nil
}
