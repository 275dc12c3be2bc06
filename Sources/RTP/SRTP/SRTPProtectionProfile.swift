/// The SRTP protection profiles negotiated by DTLS-SRTP `use_srtp` (RFC 5764 §4.1.2, RFC 7714 §14.2).
public enum SRTPProtectionProfile: UInt16, Sendable, CaseIterable {
    /// AES-128 counter mode, HMAC-SHA1 truncated to 80 bits (RFC 3711).
    case aes128CmHmacSha1_80 = 0x0001
    /// As above with a 32-bit RTP tag; SRTCP keeps the 80-bit tag (RFC 5764 §4.1.2).
    case aes128CmHmacSha1_32 = 0x0002
    /// AES-128-GCM with a 16-byte tag (RFC 7714).
    case aeadAes128Gcm = 0x0007

    public var masterKeyLength: Int { 16 }

    public var masterSaltLength: Int { self == .aeadAes128Gcm ? 12 : 14 }

    /// Bytes of keying material one side needs: key + salt (RFC 5764 §4.2 splits the
    /// exported material into client key, server key, client salt, server salt).
    public var keyingMaterialLength: Int { masterKeyLength + masterSaltLength }

    /// Tag bytes appended to an RTP packet.
    public var rtpOverhead: Int { rtpTagLength }

    /// Bytes appended to an RTCP packet: 4-byte E+index word plus the tag.
    public var rtcpOverhead: Int { 4 + rtcpTagLength }

    var isAEAD: Bool { self == .aeadAes128Gcm }

    var rtpTagLength: Int {
        switch self {
        case .aes128CmHmacSha1_80: 10
        case .aes128CmHmacSha1_32: 4
        case .aeadAes128Gcm: 16
        }
    }

    var rtcpTagLength: Int { self == .aeadAes128Gcm ? 16 : 10 }

    /// Splits DTLS exported keying material (RFC 5764 §4.2) into the client's and the
    /// server's (key, salt). `material` must hold `2 * keyingMaterialLength` bytes.
    public func splitKeyingMaterial(_ material: [UInt8])
        -> (client: (key: [UInt8], salt: [UInt8]), server: (key: [UInt8], salt: [UInt8]))?
    {
        let k = masterKeyLength
        let s = masterSaltLength
        guard material.count >= 2 * (k + s) else { return nil }
        let clientKey = Array(material[0..<k])
        let serverKey = Array(material[k..<(2 * k)])
        let clientSalt = Array(material[(2 * k)..<(2 * k + s)])
        let serverSalt = Array(material[(2 * k + s)..<(2 * k + 2 * s)])
        return ((clientKey, clientSalt), (serverKey, serverSalt))
    }
}
