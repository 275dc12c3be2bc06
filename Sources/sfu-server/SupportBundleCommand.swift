import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SFU
import Signaling

/// `sfu-server support-bundle`: asks a running server's Admin API for its support bundle
/// (`support_bundle`) and writes it to a file, indented JSON a person can read and attach to a
/// bug report. The server redacts every secret before the bundle leaves it.
struct SupportBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "support-bundle",
        abstract: "Fetch a running server's support bundle through its Admin API and write it to a file.")

    @Option(name: .customLong("admin-url"), help: "The Admin API endpoint, e.g. http://127.0.0.1:7088/admin.")
    var adminURL: String

    @Option(name: .customLong("admin-secret"), help: "The server's admin_secret, if it has one.")
    var adminSecret: String?

    @Option(name: .long, help: "Where to write the bundle (JSON).")
    var output: String

    func run() async throws {
        guard let url = PlainHTTPClient.URL(adminURL) else {
            throw ValidationError("--admin-url must be http://HOST:PORT/PATH, got '\(adminURL)'")
        }
        var request: JSONObject = ["janus": "support_bundle", "transaction": "support-bundle"]
        if let adminSecret { request["admin_secret"] = .string(adminSecret) }
        let body: [UInt8]
        do {
            body = try PlainHTTPClient.post(url, body: JSONSerializer.serialize(.object(request)))
        } catch {
            print("support-bundle: \(error)")
            throw ExitCode.failure
        }
        guard let reply = try? JSONParser.parse(body, topLevel: .container), let bundle = reply["bundle"] else {
            print("support-bundle: the server answered \(String(decoding: body.prefix(300), as: UTF8.self))")
            throw ExitCode.failure
        }
        try (PrettyJSON.text(bundle) + "\n").write(toFile: output, atomically: true, encoding: .utf8)
        print("support bundle written to \(output)")
    }
}

/// Indented JSON with sorted keys, for people.
enum PrettyJSON {
    static func text(_ value: JSONValue, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .object(let object) where !object.isEmpty:
            let fields = object.keys.sorted().map { key in
                "\(inner)\(JSONSerializer.string(.string(key))): \(text(object[key] ?? .null, indent: inner))"
            }
            return "{\n" + fields.joined(separator: ",\n") + "\n\(indent)}"
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + text($0, indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        default:
            return JSONSerializer.string(value)
        }
    }
}
