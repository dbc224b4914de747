import FedResults
import Foundation

/// Runs are never overwritten silently: a run into a folder that holds a run of another
/// scenario is refused (unless forced), so `--set partition.kind=dirichlet` on quickstart.yaml
/// cannot replace the IID run in runs/quickstart/.
///
/// Why refuse rather than write runs/quickstart-2/: a run's folder is where scripts, `fedsim
/// report` and `run --resume` look for it, and a name that changes with what the folder held
/// before breaks them without a word; numbered folders would also pile up with each retry.
/// The same scenario (same fingerprint) is replaced as before: rerunning it reproduces it.
public enum RunFolderGuard {
    /// Throws `RunFolderError.otherScenario` when `directory` holds a fedsim run whose scenario
    /// fingerprint differs from `fingerprint`; an empty, absent or foreign folder passes (the
    /// results writer refuses a foreign one itself), and so does everything when `force`.
    public static func check(_ directory: String, fingerprint: UInt64, force: Bool) throws {
        guard !force else { return }
        let fm = FileManager.default
        guard fm.fileExists(atPath: directory + "/" + RunResults.marker) else { return }
        let new = String(fingerprint, radix: 16)
        guard let existing = existingFingerprint(directory) else {
            // A marked folder with no run in it yet (the run stopped before writing its scenario): nothing to keep.
            return
        }
        if existing != new { throw RunFolderError.otherScenario(directory, existing: existing, new: new) }
    }

    /// The fingerprint of the run in `directory`: summary.json's, or, when the run stopped
    /// before writing it, that of its resolved scenario.yaml; nil when neither is there.
    static func existingFingerprint(_ directory: String) -> String? {
        if let data = FileManager.default.contents(atPath: directory + "/summary.json"),
           let summary = try? RunSummary.decoder().decode(RunSummary.self, from: data) {
            return summary.fingerprint
        }
        guard FileManager.default.fileExists(atPath: directory + "/scenario.yaml") else { return nil }
        guard let scenario = try? Scenario.load(path: directory + "/scenario.yaml") else { return "unreadable" }
        return String(scenario.fingerprint, radix: 16)
    }

    /// The summary of the finished run in `directory` (status completed or diverged), or nil
    /// when there is none or it stopped early: `run --resume` has nothing to do on a finished run.
    public static func finishedRun(_ directory: String) -> RunSummary? {
        guard let data = FileManager.default.contents(atPath: directory + "/summary.json"),
              let summary = try? RunSummary.decoder().decode(RunSummary.self, from: data) else { return nil }
        switch summary.status {
        case "completed": return summary
        case "diverged": return summary
        default: return nil
        }
    }
}
