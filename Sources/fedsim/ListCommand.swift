import ArgumentParser
import FedSim
import Foundation

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the registered aggregators, attacks, models, datasets and partitions with their parameters.")

    @Argument(help: ArgumentHelp("What to list: \(RegistryDocs.parts.joined(separator: ", ")) (default: all)."))
    var what: [String] = []

    @Option(help: ArgumentHelp("Rewrite the generated tables of this Markdown file (docs/SCENARIOS.md) in place.", valueName: "file"))
    var updateDocs: String?

    func validate() throws {
        if let bad = what.first(where: { RegistryDocs.markdown($0) == nil }) {
            throw ValidationError("unknown registry '\(bad)'; expected one of \(RegistryDocs.parts.joined(separator: ", "))")
        }
    }

    func run() throws {
        if let path = updateDocs {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw fail(ValidationError("\(path): cannot read: \(error.localizedDescription)"))
            }
            let updated = RegistryDocs.update(text)
            if updated != text { try Data(updated.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) }
            print("\(path): \(updated == text ? "already up to date" : "generated tables rewritten")")
            return
        }
        for part in what.isEmpty ? RegistryDocs.parts : what {
            print("## \(part)\n")
            print(RegistryDocs.markdown(part) ?? "")
        }
    }
}
