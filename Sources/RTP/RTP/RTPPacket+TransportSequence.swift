import SFUBase

extension RTPPacket {
    /// Writes `sequence` as the value of the transport-wide sequence number element `id`
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2: two bytes), in place.
    ///
    /// A sender that runs its own congestion control numbers every packet it sends on a
    /// transport, whatever the packet carried when it arrived: a forwarded packet usually has
    /// the publisher's element already (rewritten here), a retransmission or a packet from a
    /// peer that did not negotiate it gets one added — the element, and the RFC 8285 block when
    /// there is none, moving the payload (and padding) up by at most 8 bytes.
    ///
    /// The packet is the first `length` bytes of `buffer`; `capacity` (≤ `buffer.count`) is how
    /// far it may grow. Returns the new length, or nil when the packet was left as it was: not
    /// RTP, an extension block of another profile, an element of that id with another length,
    /// an id the block's form cannot carry, or no room.
    public static func stampTransportSequence(
        _ sequence: UInt16, id: UInt8, in buffer: UnsafeMutableRawBufferPointer, length: Int, capacity: Int
    ) -> Int? {
        guard id > 0, let packet = try? RTPPacket(buffer: buffer, length: length),
            let base = buffer.baseAddress
        else { return nil }
        let capacity = min(capacity, buffer.count)
        guard packet.hasExtension else {
            // No block: insert a one-byte-form block holding just this element (8 bytes).
            guard id <= 14, length + 8 <= capacity else { return nil }
            let at = packet.extensionInsertionOffset
            (base + at + 8).copyMemory(from: base + at, byteCount: length - at)
            buffer.writeUInt16(0xBEDE, at: at)
            buffer.writeUInt16(1, at: at + 2)
            buffer.writeUInt8(id << 4 | 1, at: at + 4)
            buffer.writeUInt16(sequence, at: at + 5)
            buffer.writeUInt8(0, at: at + 7)
            buffer.writeUInt8(buffer.readUInt8(at: 0) | 0x10, at: 0)
            return length + 8
        }
        guard let block = packet.headerExtensions else { return nil }
        var used = block.start
        for element in block {
            if element.id == id {
                guard element.valueLength == 2 else { return nil }
                buffer.writeUInt16(sequence, at: element.valueOffset)
                return length
            }
            used = max(used, element.valueOffset + element.valueLength)
        }
        let oneByte = block.form == .oneByte
        guard !oneByte || id <= 14 else { return nil }
        let needed = oneByte ? 3 : 4
        var end = block.end
        if used + needed > end {
            // Grow the block by whole words, moving payload and padding up.
            let newEnd = (used + needed + 3) & ~3
            let growth = newEnd - end
            guard length + growth <= capacity else { return nil }
            (base + end + growth).copyMemory(from: base + end, byteCount: length - end)
            (base + end).initializeMemory(as: UInt8.self, repeating: 0, count: growth)
            end = newEnd
            buffer.writeUInt16(UInt16((end - block.start) / 4), at: block.start - 2)
        }
        if oneByte {
            buffer.writeUInt8(id << 4 | 1, at: used)
            buffer.writeUInt16(sequence, at: used + 1)
        } else {
            buffer.writeUInt8(id, at: used)
            buffer.writeUInt8(2, at: used + 1)
            buffer.writeUInt16(sequence, at: used + 2)
        }
        return length + (end - block.end)
    }

    /// Where an extension block goes in a packet that has none: after the CSRC list.
    var extensionInsertionOffset: Int { RTPPacket.fixedHeaderLength + csrcCount * 4 }
}
