// The DTLS module: DTLS 1.2 for DTLS-SRTP (RFC 5764, RFC 9147 record layer where it matters)
// on OpenSSL 3 through memory BIOs, sans-IO — fed datagrams and time, handing out datagrams,
// events and SRTP keying material. Self-signed certificates and SDP fingerprints (RFC 8122).
enum DTLSModule {}
