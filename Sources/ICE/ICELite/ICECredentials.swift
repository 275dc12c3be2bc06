/// An ICE username fragment and password (RFC 8445 §5.3, SDP `a=ice-ufrag` / `a=ice-pwd`, RFC 8839 §5.4).
public struct ICECredentials: Sendable, Hashable {
    public var ufrag: String
    public var pwd: String

    public init(ufrag: String, pwd: String) {
        self.ufrag = ufrag
        self.pwd = pwd
    }

    /// ice-char per RFC 8839 §5.4: ALPHA / DIGIT / "+" / "/".
    static let iceChars: [Character] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    /// Fresh credentials from the system CSPRNG: an 8-character ufrag (≥ 4 required, 48 bits)
    /// and a 24-character password (≥ 22 required, 144 bits).
    public static func random() -> ICECredentials {
        var generator = SystemRandomNumberGenerator()
        return ICECredentials(ufrag: randomString(length: 8, using: &generator), pwd: randomString(length: 24, using: &generator))
    }

    private static func randomString(length: Int, using generator: inout SystemRandomNumberGenerator) -> String {
        // 64 symbols: six random bits per character, no modulo bias.
        String((0..<length).map { _ in iceChars[Int(generator.next() as UInt8) & 63] })
    }

    /// Whether `text` is a valid ice-ufrag / ice-pwd value of at least `minimumLength` characters.
    public static func isValid(_ text: String, minimumLength: Int) -> Bool {
        text.count >= minimumLength && text.count <= 256 && text.allSatisfy { iceChars.contains($0) }
    }
}
