/// Which side of the DTLS handshake we play (RFC 5763 §5: `a=setup:active` is the client).
public enum DTLSRole: Sendable, Hashable {
    case client, server
}

/// SRTP master keys exported from a finished DTLS-SRTP handshake (RFC 5764 §4.2), already
/// assigned to directions: `local*` protects what we send, `remote*` unprotects what we receive.
public struct DTLSSRTPKeyingMaterial: Sendable, Hashable {
    /// The negotiated profile id: 0x0001 SRTP_AES128_CM_HMAC_SHA1_80, 0x0002 …_32,
    /// 0x0007 SRTP_AEAD_AES_128_GCM, 0x0008 SRTP_AEAD_AES_256_GCM.
    public var protectionProfile: UInt16
    public var localMasterKey: [UInt8]
    public var localMasterSalt: [UInt8]
    public var remoteMasterKey: [UInt8]
    public var remoteMasterSalt: [UInt8]

    public init(
        protectionProfile: UInt16, localMasterKey: [UInt8], localMasterSalt: [UInt8],
        remoteMasterKey: [UInt8], remoteMasterSalt: [UInt8]
    ) {
        self.protectionProfile = protectionProfile
        self.localMasterKey = localMasterKey
        self.localMasterSalt = localMasterSalt
        self.remoteMasterKey = remoteMasterKey
        self.remoteMasterSalt = remoteMasterSalt
    }

    /// Splits the exporter output `client_write_key | server_write_key | client_write_salt |
    /// server_write_salt` (RFC 5764 §4.2) and assigns the halves by role. `nil` when the
    /// length does not match the profile.
    init?(exported: [UInt8], profile: DTLSSRTPProtectionProfile, role: DTLSRole) {
        let keyLength = profile.masterKeyLength
        let saltLength = profile.masterSaltLength
        guard exported.count == 2 * (keyLength + saltLength) else { return nil }
        let clientKey = Array(exported[0..<keyLength])
        let serverKey = Array(exported[keyLength..<(2 * keyLength)])
        let clientSalt = Array(exported[(2 * keyLength)..<(2 * keyLength + saltLength)])
        let serverSalt = Array(exported[(2 * keyLength + saltLength)..<(2 * keyLength + 2 * saltLength)])
        switch role {
        case .client:
            self.init(
                protectionProfile: profile.id, localMasterKey: clientKey, localMasterSalt: clientSalt,
                remoteMasterKey: serverKey, remoteMasterSalt: serverSalt)
        case .server:
            self.init(
                protectionProfile: profile.id, localMasterKey: serverKey, localMasterSalt: serverSalt,
                remoteMasterKey: clientKey, remoteMasterSalt: clientSalt)
        }
    }
}

/// The DTLS-SRTP protection profiles we can negotiate (RFC 5764 §4.1.2, RFC 7714 §14.2), with
/// the master key and salt lengths the SRTP layer expects.
struct DTLSSRTPProtectionProfile: Sendable, Hashable {
    var id: UInt16
    /// The profile's name in OpenSSL's `SSL_CTX_set_tlsext_use_srtp` syntax.
    var openSSLName: String
    var masterKeyLength: Int
    var masterSaltLength: Int

    static let aes128CmSha1_80 = Self(id: 0x0001, openSSLName: "SRTP_AES128_CM_SHA1_80", masterKeyLength: 16, masterSaltLength: 14)
    static let aes128CmSha1_32 = Self(id: 0x0002, openSSLName: "SRTP_AES128_CM_SHA1_32", masterKeyLength: 16, masterSaltLength: 14)
    static let aeadAes128Gcm = Self(id: 0x0007, openSSLName: "SRTP_AEAD_AES_128_GCM", masterKeyLength: 16, masterSaltLength: 12)
    static let aeadAes256Gcm = Self(id: 0x0008, openSSLName: "SRTP_AEAD_AES_256_GCM", masterKeyLength: 32, masterSaltLength: 12)

    static let all: [Self] = [.aes128CmSha1_80, .aes128CmSha1_32, .aeadAes128Gcm, .aeadAes256Gcm]

    init(id: UInt16, openSSLName: String, masterKeyLength: Int, masterSaltLength: Int) {
        self.id = id
        self.openSSLName = openSSLName
        self.masterKeyLength = masterKeyLength
        self.masterSaltLength = masterSaltLength
    }

    init?(id: UInt16) {
        guard let known = Self.all.first(where: { $0.id == id }) else { return nil }
        self = known
    }

    /// The colon-separated preference list OpenSSL parses, or an error naming the unknown id.
    static func openSSLList(_ ids: [UInt16]) throws(DTLSError) -> String {
        var names: [String] = []
        for id in ids {
            guard let profile = Self(id: id) else { throw .unsupportedSRTPProfile(id) }
            if !names.contains(profile.openSSLName) { names.append(profile.openSSLName) }
        }
        return names.joined(separator: ":")
    }
}
