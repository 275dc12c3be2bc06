// The SFU module: SDP, transports, media workers, forwarding, rooms.
enum SFUModule {}
