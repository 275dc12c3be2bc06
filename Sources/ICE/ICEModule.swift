// The ICE module: STUN (RFC 8489), the ICE-lite agent (RFC 8445 §2.5, consent RFC 7675),
// RFC 7983 demux and transport addresses. DTLS lives in its own module.
enum ICEModule {}
