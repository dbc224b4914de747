#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What the terminal on a file descriptor can show.
public enum Terminal {
    /// Whether `fd` is a terminal that takes escape codes: a tty, and TERM neither unset,
    /// empty nor `dumb` (Emacs shells, some CI consoles). Otherwise fedsim writes plain lines.
    public static func isLive(_ fd: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard isatty(fd) == 1 else { return false }
        return acceptsEscapes(term: environment["TERM"])
    }

    /// TERM names a terminal that understands `\r` + erase-line and bold.
    public static func acceptsEscapes(term: String?) -> Bool {
        guard let term, !term.isEmpty else { return false }
        return term != "dumb"
    }

    /// Whether bold and colour may be used on `fd` (a live terminal, NO_COLOR unset).
    public static func allowsStyle(_ fd: Int32) -> Bool {
        isLive(fd) && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    /// The width of the terminal on `fd` in columns: the kernel's window size, else COLUMNS,
    /// else 80. Read at every redraw, so a resized window takes effect at the next line.
    public static func width(_ fd: Int32) -> Int {
        var size = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 80
    }
}
