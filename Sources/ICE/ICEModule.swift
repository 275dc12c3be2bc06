// The ICE module: STUN (RFC 8489), the ICE-lite agent (RFC 8445 §2.5), DTLS-SRTP (RFC 5764), RFC 7983 demux.
enum ICEModule {}
