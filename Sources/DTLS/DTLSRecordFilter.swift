import COpenSSL

/// Drops DTLS records that are malformed in ways OpenSSL would answer with a fatal alert
/// instead of discarding them, as RFC 6347 §4.1.2.7 asks ("invalid records SHOULD be silently
/// discarded"). Only plaintext (epoch 0) content can be checked; protected records are
/// authenticated by OpenSSL, which already drops forgeries quietly.
///
/// Without this, one spoofed datagram with e.g. a 2-byte ChangeCipherSpec kills a handshake.
/// A well-formed spoofed epoch-0 alert still can: DTLS 1.2 offers no protection there.
enum DTLSRecordFilter {
    /// `nil` when the datagram can go to OpenSSL unchanged; otherwise the records worth
    /// keeping (possibly none). `minimumProtectedLength` is the shortest record the negotiated
    /// cipher can produce (`nil` before a cipher is chosen: then no protected record is valid).
    static func sanitize(_ datagram: UnsafeRawBufferPointer, minimumProtectedLength: Int?) -> [UInt8]? {
        var offset = 0
        var kept: [Range<Int>] = []
        var droppedAny = false
        while offset < datagram.count {
            guard datagram.count - offset >= DTLSRecordPacker.recordHeaderLength else {
                droppedAny = true
                break
            }
            let length = Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12])
            let end = offset + DTLSRecordPacker.recordHeaderLength + length
            guard end <= datagram.count else {
                droppedAny = true
                break
            }
            if isPlausible(datagram, header: offset, length: length, minimumProtectedLength: minimumProtectedLength) {
                kept.append(offset..<end)
            } else {
                droppedAny = true
            }
            offset = end
        }
        guard droppedAny else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(datagram.count)
        for range in kept { out.append(contentsOf: datagram[range]) }
        return out
    }

    private static func isPlausible(
        _ bytes: UnsafeRawBufferPointer, header: Int, length: Int, minimumProtectedLength: Int?
    ) -> Bool {
        let contentType = bytes[header]
        // DTLS 1.0 (0xFEFF) or 1.2 (0xFEFD) only.
        guard bytes[header + 1] == 0xFE, bytes[header + 2] == 0xFF || bytes[header + 2] == 0xFD else { return false }
        let epoch = UInt16(bytes[header + 3]) << 8 | UInt16(bytes[header + 4])
        guard length <= 16_384 + 2_048 else { return false }  // RFC 6347 §4.1 / RFC 5246 §6.2.3
        let body = header + DTLSRecordPacker.recordHeaderLength
        // Protected records: alert, handshake or data (DTLS 1.2 sends ChangeCipherSpec in the
        // old epoch only), at least as long as the cipher's overhead. OpenSSL 3.0 does not
        // drop a shorter record quietly: the association fails (SSL_ERROR_SYSCALL).
        guard epoch == 0 else {
            guard let minimumProtectedLength else { return false }
            return (21...23).contains(contentType) && length >= minimumProtectedLength
        }
        switch contentType {
        case 20:  // ChangeCipherSpec: exactly the byte 1 (RFC 5246 §7.1)
            return length == 1 && bytes[body] == 1
        case 21:  // Alert: level (warning 1, fatal 2) and description (RFC 5246 §7.2)
            return length == 2 && (bytes[body] == 1 || bytes[body] == 2)
        case 22:
            return handshakeFragmentsTile(bytes, from: body, to: body + length)
        default:  // application data is never sent in epoch 0; unknown types are ignored
            return false
        }
    }

    /// Handshake fragments (RFC 6347 §4.2.2: 12-byte header) must exactly fill the record and
    /// each lie inside its message.
    private static func handshakeFragmentsTile(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Bool {
        var offset = start
        guard end > start else { return false }
        while offset < end {
            guard end - offset >= 12 else { return false }
            let messageType = bytes[offset]
            let messageLength = uint24(bytes, offset + 1)
            let fragmentOffset = uint24(bytes, offset + 6)
            let fragmentLength = uint24(bytes, offset + 9)
            guard knownHandshakeTypes.contains(messageType),
                fragmentOffset + fragmentLength <= messageLength,
                end - offset - 12 >= fragmentLength
            else { return false }
            offset += 12 + fragmentLength
        }
        return true
    }

    /// hello_request … finished, hello_verify_request, certificate_status, new_session_ticket.
    private static let knownHandshakeTypes: Set<UInt8> = [0, 1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 20, 22]

    private static func uint24(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> Int {
        Int(bytes[at]) << 16 | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2])
    }
}

extension DTLSRecordFilter {
    /// The shortest protected record (empty plaintext) of a DTLS 1.2 cipher suite, by the
    /// OpenSSL NID of its bulk cipher: AES-GCM 8-byte explicit nonce + 16-byte tag (RFC 5288),
    /// ChaCha20-Poly1305 the tag alone (RFC 7905), CBC an IV and one block of MAC and padding.
    static func minimumProtectedLength(cipherNID: Int32) -> Int {
        switch cipherNID {
        case NID_aes_128_gcm, NID_aes_256_gcm: return 24
        case NID_chacha20_poly1305: return 16
        default: return 48
        }
    }
}
