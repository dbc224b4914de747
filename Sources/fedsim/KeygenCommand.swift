import ArgumentParser
import FedWire
import Foundation

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate CurveZMQ key pairs for a coordinator and its clients, and the client allowlist.",
        discussion: """
            Writes <out>/<name>.key (secret key, mode 0600) and <out>/<name>.pub (public key). With \
            --clients N, also client-0 ... client-(N-1) key pairs and <out>/allowed_clients.txt, one line \
            per client: "<Z85 public key> <client ids>" (client-i speaks for logical client i; edit the \
            ids, e.g. 0-4,7, when one process hosts several). See docs/DEPLOY.md.
            """)

    @Option(help: "Folder to write the keys into (created with mode 0700 if missing).")
    var out: String = "keys"

    @Option(help: "Name of the main key pair (the coordinator's).")
    var name: String = "coordinator"

    @Option(help: "Also write this many client key pairs and the allowlist.")
    var clients: Int?

    @Flag(help: "Overwrite key files that already exist.")
    var force = false

    func validate() throws {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw ValidationError("--name must be a plain file name, got \"\(name)\"")
        }
        if let clients {
            guard clients >= 1 else { throw ValidationError("--clients must be at least 1, got \(clients)") }
            guard !(0..<clients).contains(where: { "client-\($0)" == name }) else {
                throw ValidationError("--name \(name) would be overwritten by a client key pair; choose another name")
            }
        }
    }

    func run() throws {
        do {
            try writeKeys()
        } catch {
            throw fail(error)
        }
    }

    private func writeKeys() throws {
        let folder = out.hasSuffix("/") ? String(out.dropLast()) : out
        let clientNames = (0..<(clients ?? 0)).map { "client-\($0)" }
        let allowlistPath = "\(folder)/allowed_clients.txt"
        var planned = ([name] + clientNames).flatMap { ["\(folder)/\($0).key", "\(folder)/\($0).pub"] }
        if clients != nil { planned.append(allowlistPath) }
        if !force, let existing = planned.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw KeygenError(message: "\(existing) already exists; pass --force to overwrite it")
        }
        if !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }

        let main = try CurveKeyPair.generate()
        try main.write(secretFile: "\(folder)/\(name).key", publicFile: "\(folder)/\(name).pub",
                       comment: "fedsim key pair \"\(name)\"")
        print("wrote \(folder)/\(name).key (secret, mode 0600) and \(folder)/\(name).pub  public key \(main.publicKeyZ85)")

        guard !clientNames.isEmpty else { return }
        var entries: [CurveAllowlist.Entry] = []
        for (index, clientName) in clientNames.enumerated() {
            let pair = try CurveKeyPair.generate()
            try pair.write(secretFile: "\(folder)/\(clientName).key", publicFile: "\(folder)/\(clientName).pub",
                           comment: "fedsim key pair \"\(clientName)\" (logical client \(index))")
            entries.append(try CurveAllowlist.Entry(publicKey: pair.publicKey, clientIds: [UInt32(index)]))
            print("wrote \(folder)/\(clientName).key (secret, mode 0600) and \(folder)/\(clientName).pub  client id \(index)")
        }
        try CurveAllowlist(entries).write(file: allowlistPath)
        let ids = clientNames.count == 1 ? "id 0" : "ids 0-\(clientNames.count - 1)"
        print("wrote \(allowlistPath) (\(entries.count) client key\(entries.count == 1 ? "" : "s"), \(ids))")
    }
}

/// A keygen refusal (one line).
struct KeygenError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
