/// Why an SRTP/SRTCP transform failed. Every case means "drop the packet".
public enum SRTPError: Error, Equatable, Sendable {
    /// The tag did not verify: tampered, wrong key, or wrong rollover counter guess.
    case authenticationFailed
    /// The packet index was seen already or lies behind the replay window (RFC 3711 §3.3.2).
    case replayed
    /// Shorter than a header plus tag.
    case tooShort
    /// Not an RTP/RTCP packet (version, lengths, CSRC count, extension length).
    case malformed
    /// The caller's buffer has no room for the tag and trailer.
    case bufferTooSmall
    /// Master key or salt of the wrong length.
    case invalidKeyLength
    /// libcrypto refused an operation (should not happen after set-up).
    case cryptoFailure
    /// More SSRCs than a context tracks; protects memory against SSRC floods.
    case tooManyStreams
    /// The SRTCP index would pass 2^31 - 1: the session must be re-keyed.
    case indexExhausted
}
