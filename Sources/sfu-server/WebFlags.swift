import ArgumentParser
import SFU

/// The flags of what a person's browser talks to: the web client, and the TLS listeners that
/// make it usable from other machines (browsers give camera and microphone to secure origins only).
struct WebFlags: ParsableArguments {
    @Option(name: .long, help: "HTTPS endpoint HOST:PORT (Janus REST at /janus and the web client at /, over TLS), or 'off' (default).")
    var https: String?

    @Option(name: .long, help: "WSS endpoint HOST:PORT (Janus WebSocket over TLS), or 'off' (default).")
    var wss: String?

    @Option(name: .customLong("tls-certificate"), help: "PEM file of the TLS certificate (chain) for --https/--wss.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM file of the TLS private key for --https/--wss.")
    var tlsKey: String?

    @Flag(name: .customLong("tls-self-signed"), help: "Make a self-signed TLS certificate at start for --https/--wss and print its fingerprint.")
    var tlsSelfSigned = false

    @Option(name: .customLong("web-client"), help: "The web client served at / on the HTTP listener: builtin (default), off, or a directory to serve instead.")
    var webClient: String?

    /// Flags given override the configuration file's keys.
    func apply(to configuration: inout SFUConfigurationFile) {
        if let webClient { configuration.webClient = webClient }
        if let https { configuration.https = https }
        if let wss { configuration.wss = wss }
        if let tlsCertificate { configuration.tlsCertificate = tlsCertificate }
        if let tlsKey { configuration.tlsKey = tlsKey }
        if tlsSelfSigned { configuration.tlsSelfSigned = true }
    }
}
