// Big-endian loads and stores on raw buffers.
//
// Callers validate offsets against the packet length first; these helpers never bounds-check
// in release builds. Public and inlinable so that the packet parsers of every module (RTP,
// STUN, DTLS) compile them down to single loads and stores.

extension UnsafeMutableRawBufferPointer {
    @inlinable @inline(__always)
    public func readUInt8(at offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }

    @inlinable @inline(__always)
    public func readUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    public func readUInt24(at offset: Int) -> UInt32 {
        UInt32(readUInt8(at: offset)) << 16 | UInt32(readUInt16(at: offset + 1))
    }

    @inlinable @inline(__always)
    public func readUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable @inline(__always)
    public func readUInt64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable @inline(__always)
    public func writeUInt8(_ value: UInt8, at offset: Int) {
        storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
    }

    @inlinable @inline(__always)
    public func writeUInt16(_ value: UInt16, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    @inlinable @inline(__always)
    public func writeUInt24(_ value: UInt32, at offset: Int) {
        writeUInt8(UInt8(truncatingIfNeeded: value >> 16), at: offset)
        writeUInt16(UInt16(truncatingIfNeeded: value), at: offset + 1)
    }

    @inlinable @inline(__always)
    public func writeUInt32(_ value: UInt32, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inlinable @inline(__always)
    public func writeUInt64(_ value: UInt64, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
    }
}

extension UnsafeRawBufferPointer {
    @inlinable @inline(__always)
    public func readUInt8(at offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }

    @inlinable @inline(__always)
    public func readUInt16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    public func readUInt32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
