#if canImport(Glibc)
import Glibc
#endif
import FedCore
import Foundation

/// One line for an error a file operation threw: `<path>: cannot read|write: <the system's
/// reason>`. Foundation's file APIs throw `NSError`s whose default text is a multi-line
/// dictionary dump (`Error Domain=NSCocoaErrorDomain Code=4 ... UserInfo={...}`); this reads the
/// path and the POSIX cause out of them. Errors of fedsim's own types print as they are.
public enum FileErrorText {
    public static func describe(_ error: Error) -> String {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
        let path = (ns.userInfo[NSFilePathErrorKey] as? String)
            ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        let posix: Int32? = {
            if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
            if let e = ns.userInfo[NSUnderlyingErrorKey] as? Error {
                let u = e as NSError
                if u.domain == NSPOSIXErrorDomain { return Int32(u.code) }
            }
            return nil
        }()
        let reason = posix.map { systemErrorText($0) } ?? ns.localizedDescription
        // Cocoa's file error codes: 256...259 reading, 512...642 writing (NSFileNoSuchFileError = 4).
        let verb = (512...642).contains(ns.code) ? "cannot write" : (256...260).contains(ns.code) ? "cannot read" : nil
        return [path, verb, reason].compactMap { $0 }.joined(separator: ": ")
    }
}
