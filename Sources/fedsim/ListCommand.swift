import ArgumentParser
import FedCore
import FedSim
import Foundation

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the registered aggregators, attacks, models, datasets and partitions with their parameters.",
        discussion: "Each parameter shows as key=default, the values it allows, and what it does; generated from the registries.")

    @Argument(help: ArgumentHelp("What to list: \(RegistryListing.topics.joined(separator: ", ")) (default: all)."))
    var what: [String] = []

    @Flag(help: "Print the Markdown tables of docs/SCENARIOS.md instead of text.")
    var markdown = false

    @Option(help: ArgumentHelp("Rewrite the generated tables of this Markdown file (docs/SCENARIOS.md) in place.", valueName: "file"))
    var updateDocs: String?

    func validate() throws {
        if let bad = what.first(where: { RegistryListing.parts(of: $0) == nil }) {
            throw ValidationError("unknown registry '\(bad)';\(Suggestion.hint(for: bad, among: RegistryListing.topics)) "
                                  + "expected one of \(RegistryListing.topics.joined(separator: ", "))")
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
        let parts = what.isEmpty ? RegistryDocs.parts : what.flatMap { RegistryListing.parts(of: $0) ?? [] }
        for part in parts {
            if markdown {
                print("## \(part)\n")
                print(RegistryDocs.markdown(part) ?? "")
            } else {
                print(RegistryListing.text(part) ?? "")
            }
        }
    }
}
