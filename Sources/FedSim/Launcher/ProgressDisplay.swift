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
            self.style = isatty(STDERR_FILENO) == 1 ? .terminal : .plain
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
            write("\r\u{1B}[K" + text)
            lineOpen = true
        case .plain, .auto:
            write(text + "\n")
        }
    }

    /// One finished round.
    public func round(_ r: RoundRecord) {
        let elapsed = Date().timeIntervalSince(start)
        let done = r.round - firstRound + 1
        let eta = done > 0 ? elapsed / Double(done) * Double(total - r.round) : 0
        let acc = String(format: "%.4f", r.testAccuracy)
        let loss = String(format: "%.4f", r.testLoss)
        switch style {
        case .none: return
        case .terminal:
            let width = 24
            let filled = total > 0 ? width * r.round / total : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write("\r\u{1B}[K round \(r.round)/\(total) \(bar) acc \(acc)  loss \(loss)  updates \(r.received)/\(r.sampled)"
                  + (r.rejected > 0 ? " (\(r.rejected) rejected)" : "")
                  + "  elapsed \(clock(elapsed))  eta \(clock(eta))")
            lineOpen = true
        case .plain, .auto:
            write("round \(r.round)/\(total) accuracy=\(acc) loss=\(loss) received=\(r.received)/\(r.sampled) rejected=\(r.rejected) elapsed=\(String(format: "%.1f", elapsed))s eta=\(String(format: "%.1f", eta))s\n")
        }
    }

    /// Ends the live line, if any.
    public func finish() {
        if lineOpen { write("\n"); lineOpen = false }
    }

    private func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
