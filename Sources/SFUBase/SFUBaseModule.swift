// The base module: small pieces every layer shares and none owns — monotonic time (the clock
// every sans-IO engine is fed), a FIFO queue for what engines hand out, and big-endian byte
// access on raw buffers. It depends on nothing.
enum SFUBaseModule {}
