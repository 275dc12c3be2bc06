/// Cuts the byte stream OpenSSL writes into its memory BIO into datagrams: whole DTLS records
/// (RFC 6347 §4.1: 13-byte header, length at offset 11), as many per datagram as fit the MTU
/// (§4.1.1 allows several records per datagram). OpenSSL already fragments handshake messages
/// so that every record fits the MTU given with `SSL_set_mtu`.
enum DTLSRecordPacker {
    static let recordHeaderLength = 13

    /// Appends the datagrams for `stream` (our own OpenSSL output) to `datagrams`. A malformed
    /// tail — which OpenSSL never writes — goes out as one last datagram rather than trapping.
    static func appendDatagrams(packing stream: [UInt8], mtu: Int, to datagrams: inout [[UInt8]]) {
        var current: [UInt8] = []
        var offset = 0
        while offset < stream.count {
            var recordEnd = stream.count
            if stream.count - offset >= recordHeaderLength {
                let length = Int(stream[offset + 11]) << 8 | Int(stream[offset + 12])
                recordEnd = min(stream.count, offset + recordHeaderLength + length)
            }
            let recordLength = recordEnd - offset
            if !current.isEmpty && current.count + recordLength > mtu {
                datagrams.append(current)
                current = []
            }
            current.append(contentsOf: stream[offset..<recordEnd])
            offset = recordEnd
        }
        if !current.isEmpty { datagrams.append(current) }
    }

    /// A cheap filter before OpenSSL sees peer bytes: at least one record header, a content
    /// type in the DTLS range of RFC 7983 §7 (20…63) and the DTLS major version byte 0xFE.
    static func looksLikeDTLS(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= recordHeaderLength else { return false }
        return (20...63).contains(bytes[0]) && bytes[1] == 0xFE
    }

    /// Whether a datagram holds a well-framed alert record (content type 21) of a non-zero
    /// epoch, i.e. one protected by the session keys: after the handshake that is the peer's
    /// close_notify or a fatal alert — either ends the association. The record header is clear
    /// in DTLS 1.2 (RFC 6347 §4.1), so this needs no keys; it is used once the OpenSSL state is
    /// gone, for datagrams that arrive over the ICE-validated pair.
    static func containsProtectedAlert(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let alertContentType: UInt8 = 21
        var offset = 0
        while bytes.count - offset >= recordHeaderLength {
            guard bytes[offset + 1] == 0xFE else { return false }
            let epoch = Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4])
            let length = Int(bytes[offset + 11]) << 8 | Int(bytes[offset + 12])
            let end = offset + recordHeaderLength + length
            guard end <= bytes.count else { return false }
            // A protected alert is longer than the 2-byte plaintext alert (nonce/IV + tag or MAC).
            if bytes[offset] == alertContentType, epoch > 0, length > 2 { return true }
            offset = end
        }
        return false
    }
}
