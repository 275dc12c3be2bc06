import COpenSSL

/// Our DTLS identity: a certificate and its private key (ECDSA P-256, self-signed, made at
/// start or loaded from PEM), and the OpenSSL context every `DTLSEndpoint` using it shares.
///
/// Immutable after init, so any thread may use it; endpoints on different media workers share
/// one instance. The SHA-256 `fingerprint` goes into SDP `a=fingerprint` (RFC 8122 §5).
public final class DTLSCertificate: @unchecked Sendable {
    // Owned; freed in deinit. Never mutated after init, which is what makes sharing safe.
    let x509: OpaquePointer
    let privateKey: OpaquePointer
    /// The SSL_CTX built once per certificate (SSL_new on it is thread-safe; it is never
    /// reconfigured after init).
    let context: DTLSContext

    /// SHA-256 fingerprint of the DER certificate.
    public let fingerprint: DTLSFingerprint

    /// Makes a fresh P-256 key and a self-signed certificate valid from a day ago for a year.
    public static func generateSelfSigned(commonName: String = "swift-sfu") throws -> DTLSCertificate {
        OpenSSLErrorQueue.clear()
        guard let key = sfu_EVP_EC_gen_P256() else {
            throw DTLSError.openSSL(operation: "EVP_EC_gen(P-256)", reason: OpenSSLErrorQueue.drain())
        }
        guard let cert = X509_new() else {
            EVP_PKEY_free(key)
            throw DTLSError.openSSL(operation: "X509_new", reason: OpenSSLErrorQueue.drain())
        }
        var ok = X509_set_version(cert, 2) == 1  // v3
        // A random positive 63-bit serial: browsers ignore it, but equal serials from one
        // issuer name confuse certificate tooling.
        ok = ok && ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), UInt64.random(in: 1..<(1 << 63))) == 1
        ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert), -86_400) != nil
        ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert), 365 * 86_400) != nil
        ok = ok && X509_set_pubkey(cert, key) == 1
        if ok, let name = X509_get_subject_name(cert) {
            ok = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1
            ok = ok && X509_set_issuer_name(cert, name) == 1
        } else {
            ok = false
        }
        ok = ok && X509_sign(cert, key, EVP_sha256()) > 0
        guard ok else {
            X509_free(cert)
            EVP_PKEY_free(key)
            throw DTLSError.openSSL(operation: "self-signed certificate", reason: OpenSSLErrorQueue.drain())
        }
        return try DTLSCertificate(takingCertificate: cert, privateKey: key)
    }

    /// Loads a certificate and its private key from PEM text (unencrypted key).
    public convenience init(pemCertificate: String, pemPrivateKey: String) throws {
        OpenSSLErrorQueue.clear()
        guard let cert = Self.withMemoryBIO(pemCertificate, { PEM_read_bio_X509($0, nil, nil, nil) }) else {
            throw DTLSError.invalidPEM("no certificate (\(OpenSSLErrorQueue.drain()))")
        }
        guard let key = Self.withMemoryBIO(pemPrivateKey, { PEM_read_bio_PrivateKey($0, nil, nil, nil) }) else {
            X509_free(cert)
            throw DTLSError.invalidPEM("no private key (\(OpenSSLErrorQueue.drain()))")
        }
        guard X509_check_private_key(cert, key) == 1 else {
            X509_free(cert)
            EVP_PKEY_free(key)
            throw DTLSError.invalidPEM("private key does not match certificate (\(OpenSSLErrorQueue.drain()))")
        }
        try self.init(takingCertificate: cert, privateKey: key)
    }

    /// Takes ownership of `cert` and `key` (frees them if it throws).
    private init(takingCertificate cert: OpaquePointer, privateKey key: OpaquePointer) throws {
        guard let digest = Self.digest(of: cert, algorithm: "sha-256"),
            let fingerprint = DTLSFingerprint(algorithm: "sha-256", bytes: digest)
        else {
            X509_free(cert)
            EVP_PKEY_free(key)
            throw DTLSError.openSSL(operation: "X509_digest", reason: OpenSSLErrorQueue.drain())
        }
        let context: DTLSContext
        do {
            context = try DTLSContext(certificate: cert, privateKey: key)
        } catch {
            X509_free(cert)
            EVP_PKEY_free(key)
            throw error
        }
        self.x509 = cert
        self.privateKey = key
        self.fingerprint = fingerprint
        self.context = context
    }

    deinit {
        X509_free(x509)
        EVP_PKEY_free(privateKey)
    }

    /// The certificate as PEM (`-----BEGIN CERTIFICATE-----`).
    public var pemCertificate: String {
        Self.pemString { PEM_write_bio_X509($0, x509) }
    }

    /// The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). Secret.
    public var pemPrivateKey: String {
        Self.pemString { PEM_write_bio_PrivateKey($0, privateKey, nil, nil, 0, nil, nil) }
    }

    /// The digest of a DER certificate with an SDP hash name, `nil` for an unknown name.
    static func digest(of cert: OpaquePointer, algorithm: String) -> [UInt8]? {
        let md: OpaquePointer?
        switch algorithm {
        case "sha-1": md = EVP_sha1()
        case "sha-224": md = EVP_sha224()
        case "sha-256": md = EVP_sha256()
        case "sha-384": md = EVP_sha384()
        case "sha-512": md = EVP_sha512()
        default: return nil
        }
        guard let md else { return nil }
        var buffer = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(cert, md, &buffer, &length) == 1 else { return nil }
        return Array(buffer.prefix(Int(length)))
    }

    private static func withMemoryBIO<T>(_ text: String, _ body: (OpaquePointer) -> T?) -> T? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { raw -> T? in
            guard let base = raw.baseAddress, let bio = BIO_new_mem_buf(base, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    private static func pemString(_ write: (OpaquePointer) -> Int32) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { return "" }
        let pending = Int(BIO_ctrl_pending(bio))
        var out = [UInt8](repeating: 0, count: pending)
        let read = BIO_read(bio, &out, Int32(pending))
        return String(decoding: out.prefix(max(0, Int(read))), as: UTF8.self)
    }
}
