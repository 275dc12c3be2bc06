import COpenSSL

/// The OpenSSL `SSL_CTX` for one certificate: DTLS 1.2 only, ECDHE suites, mutual
/// certificate authentication with the chain check replaced by our fingerprint check,
/// `use_srtp` (RFC 5764 §4.1) with GCM preferred.
///
/// Built once per `DTLSCertificate` and only read afterwards, so endpoints on any thread may
/// create their `SSL` objects from it.
final class DTLSContext: @unchecked Sendable {
    let ctx: OpaquePointer

    /// ECDHE only (forward secrecy, which RFC 8827 §6.5 tells implementations to favour); ECDSA
    /// first because our own certificate is P-256, RSA kept for PEM-loaded RSA identities.
    static let cipherList = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA",
        "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA",
    ].joined(separator: ":")

    static let defaultSRTPProfiles: [UInt16] = [0x0007, 0x0001, 0x0002]

    init(certificate: OpaquePointer, privateKey: OpaquePointer) throws(DTLSError) {
        OpenSSLErrorQueue.clear()
        guard let ctx = SSL_CTX_new(DTLS_method()) else {
            throw .openSSL(operation: "SSL_CTX_new", reason: OpenSSLErrorQueue.drain())
        }
        var ok = sfu_SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1
        ok = ok && sfu_SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) == 1
        ok = ok && SSL_CTX_use_certificate(ctx, certificate) == 1
        ok = ok && SSL_CTX_use_PrivateKey(ctx, privateKey) == 1
        ok = ok && SSL_CTX_check_private_key(ctx) == 1
        ok = ok && SSL_CTX_set_cipher_list(ctx, Self.cipherList) == 1
        // SSL_CTX_set_tlsext_use_srtp returns 0 on success.
        ok = ok && SSL_CTX_set_tlsext_use_srtp(
            ctx, (try? DTLSSRTPProtectionProfile.openSSLList(Self.defaultSRTPProfiles)) ?? "") == 0
        guard ok else {
            let reason = OpenSSLErrorQueue.drain()
            SSL_CTX_free(ctx)
            throw .openSSL(operation: "SSL_CTX setup", reason: reason)
        }
        _ = SSL_CTX_set_options(ctx, sfu_SSL_OP_dtls_srtp())
        _ = sfu_SSL_CTX_set_session_cache_off(ctx)
        // Both sides present a certificate and each checks the other's against the SDP
        // fingerprint (RFC 5763 §5); there is no trust store (RFC 8122 §5).
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        SSL_CTX_set_cert_verify_callback(ctx, dtlsCertificateVerifyCallback, nil)
        self.ctx = ctx
    }

    deinit { SSL_CTX_free(ctx) }
}
