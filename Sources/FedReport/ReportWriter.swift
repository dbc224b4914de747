import FedResults
import Foundation

/// Writes `report.html` into a comparison folder or a run folder, from its CSV files alone.
public enum ReportWriter {
    /// What a folder holds.
    public enum Kind: Sendable, Equatable {
        /// compare.csv: a `fedsim compare` matrix.
        case comparison
        /// rounds.csv: one `fedsim run`.
        case run
    }

    /// The file name of the report inside the folder.
    public static let fileName = "report.html"

    /// A comparison when compare.csv is there, else a run when rounds.csv is there.
    public static func kind(of folder: String) throws -> Kind {
        let fm = FileManager.default
        if fm.fileExists(atPath: folder + "/compare.csv") { return .comparison }
        if fm.fileExists(atPath: folder + "/rounds.csv") { return .run }
        throw ReportError.notAReportFolder(folder)
    }

    /// Detects the kind of `folder`, builds its report, writes `<folder>/report.html` and
    /// returns that path.
    @discardableResult
    public static func write(folder: String) throws -> String {
        switch try kind(of: folder) {
        case .comparison: return try write(ComparisonResults.load(directory: folder))
        case .run: return try write(RunReportData.load(directory: folder))
        }
    }

    /// Writes the report of loaded comparison results into their folder; returns its path.
    @discardableResult
    public static func write(_ results: ComparisonResults) throws -> String {
        try save(HTMLReport.comparison(results), in: results.directory)
    }

    /// Writes the report of a loaded run into its folder; returns its path.
    @discardableResult
    public static func write(_ run: RunReportData) throws -> String {
        try save(HTMLReport.run(run), in: run.directory)
    }

    static func save(_ html: String, in folder: String) throws -> String {
        let path = folder + "/" + fileName
        try AtomicFile.write(Data(html.utf8), to: path)
        return path
    }
}
