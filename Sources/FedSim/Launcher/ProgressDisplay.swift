#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Shows a run's progress: a live line on a terminal, plain lines otherwise (CI logs).
public final class ProgressDisplay {
    public enum Style: String, CaseIterable, Sendable {
        case auto, terminal, plain, none
    }

    private let style: Style
    private let total: Int
    /// The first round this process runs (later than 1 after a resume), for the ETA.
    public var firstRound = 1
    private let start = Date()
    private var lineOpen = false

    public init(style: Style, totalRounds: Int) {
        if style == .auto {
            self.style = Terminal.isLive(STDERR_FILENO) ? .terminal : .plain
        } else {
            self.style = style
        }
        total = totalRounds
    }

    /// A status message ("waiting for 10 clients").
    public func note(_ text: String) {
        switch style {
        case .none: return
        case .terminal:
            write("\r\u{1B}[K" + ProgressLine([.init(text, priority: ProgressLine.Priority.essential)])
                .render(width: Terminal.width(STDERR_FILENO)))
            lineOpen = true
        case .plain, .auto:
            write(text + "\n")
        }
    }

    /// One finished round: the live line cut to the terminal's width (`ProgressLine`), or a
    /// plain line with every figure.
    public func round(_ r: RoundRecord) {
        let elapsed = Date().timeIntervalSince(start)
        let done = r.round - firstRound + 1
        let eta = done > 0 ? elapsed / Double(done) * Double(total - r.round) : 0
        switch style {
        case .none: return
        case .terminal:
            let line = ProgressLine.round(r, total: total, elapsed: elapsed, eta: eta)
            write("\r\u{1B}[K" + line.render(width: Terminal.width(STDERR_FILENO)))
            lineOpen = true
        case .plain, .auto:
            write(ProgressLine.plainRound(r, total: total, elapsed: elapsed, eta: eta) + "\n")
        }
    }

    /// Ends the live line, if any.
    public func finish() {
        if lineOpen { write("\n"); lineOpen = false }
    }

    private func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}
