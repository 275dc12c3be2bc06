import SFUBase
/// The RFC 8285 header-extension form of a packet.
public enum RTPHeaderExtensionForm: Sendable, Equatable {
    /// Profile 0xBEDE: ids 1…14, 1…16 value bytes (RFC 8285 §4.2).
    case oneByte
    /// Profile 0x100X: ids 1…255, 0…255 value bytes (RFC 8285 §4.3).
    case twoByte

    /// The "defined by profile" value written for this form.
    public var profile: UInt16 { self == .oneByte ? 0xBEDE : 0x1000 }
}

/// One header-extension element: where its value lives in the packet buffer.
public struct RTPHeaderExtensionElement: Sendable, Equatable {
    public var id: UInt8
    /// Offset of the element's id byte in the packet.
    public var headerOffset: Int
    /// Offset of the first value byte in the packet.
    public var valueOffset: Int
    public var valueLength: Int

    /// The value bytes, sharing memory with `buffer`.
    public func value(in buffer: UnsafeMutableRawBufferPointer) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: buffer[valueOffset..<(valueOffset + valueLength)])
    }
}

/// A view of the RFC 8285 header-extension block of a validated `RTPPacket`.
///
/// Iteration stops silently at the first malformed element (RFC 8285 §4.2: a receiver
/// stops parsing there), so peer bytes never trap. Same thread rules as `RTPPacket`.
public struct RTPHeaderExtensions: Sequence {
    public let buffer: UnsafeMutableRawBufferPointer
    public let form: RTPHeaderExtensionForm
    /// Offset of the first element byte and end of the block in the packet.
    public let start: Int
    public let end: Int

    init?(buffer: UnsafeMutableRawBufferPointer, headerOffset: Int, end: Int) {
        let profile = buffer.readUInt16(at: headerOffset)
        if profile == 0xBEDE {
            form = .oneByte
        } else if profile & 0xFFF0 == 0x1000 {
            form = .twoByte
        } else {
            return nil
        }
        self.buffer = buffer
        self.start = headerOffset + 4
        self.end = end
    }

    public struct Iterator: IteratorProtocol {
        let buffer: UnsafeMutableRawBufferPointer
        let oneByte: Bool
        var offset: Int
        let end: Int

        public mutating func next() -> RTPHeaderExtensionElement? {
            while offset < end {
                let first = buffer.readUInt8(at: offset)
                if first == 0 {  // padding byte, both forms
                    offset += 1
                    continue
                }
                if oneByte {
                    let id = first >> 4
                    if id == 15 { offset = end; return nil }  // RFC 8285 §4.2: stop processing
                    let length = Int(first & 0x0F) + 1
                    guard offset + 1 + length <= end else { offset = end; return nil }
                    let element = RTPHeaderExtensionElement(
                        id: id, headerOffset: offset, valueOffset: offset + 1, valueLength: length)
                    offset += 1 + length
                    return element
                } else {
                    guard offset + 2 <= end else { offset = end; return nil }
                    let length = Int(buffer.readUInt8(at: offset + 1))
                    guard offset + 2 + length <= end else { offset = end; return nil }
                    let element = RTPHeaderExtensionElement(
                        id: first, headerOffset: offset, valueOffset: offset + 2, valueLength: length)
                    offset += 2 + length
                    return element
                }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(buffer: buffer, oneByte: form == .oneByte, offset: start, end: end)
    }

    /// The first element with `id`, or nil.
    public func element(id: UInt8) -> RTPHeaderExtensionElement? {
        guard id != 0 else { return nil }
        var iterator = makeIterator()
        while let element = iterator.next() {
            if element.id == id { return element }
        }
        return nil
    }

    /// Overwrites the value of element `id` in place; `bytes` must have the element's length.
    public func rewrite(id: UInt8, with bytes: UnsafeRawBufferPointer) throws(RTPError) {
        guard let element = element(id: id), element.valueLength == bytes.count else {
            throw .extensionElementMismatch
        }
        if let source = bytes.baseAddress, let target = buffer.baseAddress {
            (target + element.valueOffset).copyMemory(from: source, byteCount: bytes.count)
        }
    }

    /// Overwrites the value of element `id` in place; `bytes` must have the element's length.
    public func rewrite(id: UInt8, with bytes: [UInt8]) throws(RTPError) {
        let result: Result<Void, RTPError> = bytes.withUnsafeBytes { raw in
            do throws(RTPError) { try rewrite(id: id, with: raw); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }

    /// Renumbers every element through `map` in place. Elements mapped to 0 are erased
    /// (turned into padding bytes), which is how ids the receiver did not negotiate are dropped.
    /// Validates the whole map first, so the packet is either fully remapped or untouched.
    public func remapIDs(_ map: RTPHeaderExtensionIDMap) throws(RTPError) {
        if form == .oneByte {
            for element in self where map[element.id] > 14 { throw .extensionIDOutOfRange }
        }
        var iterator = makeIterator()
        while let element = iterator.next() {
            let newID = map[element.id]
            if newID == 0 {
                let range = element.headerOffset..<(element.valueOffset + element.valueLength)
                if let base = buffer.baseAddress {
                    (base + range.lowerBound).initializeMemory(as: UInt8.self, repeating: 0, count: range.count)
                }
            } else if form == .oneByte {
                let b = buffer.readUInt8(at: element.headerOffset)
                buffer.writeUInt8(newID << 4 | (b & 0x0F), at: element.headerOffset)
            } else {
                buffer.writeUInt8(newID, at: element.headerOffset)
            }
        }
    }
}

/// A lookup table from extension ids received to ids sent (0 = drop the element).
///
/// Built once per subscriber when extensions are negotiated; lookups are a plain array
/// index on the packet path. The default maps every id to itself.
public struct RTPHeaderExtensionIDMap: Sendable, Equatable {
    private var table: [UInt8]

    /// The identity map.
    public init() {
        table = (0...255).map { UInt8($0) }
    }

    /// Maps each key to its value; ids not listed are dropped when `dropUnlisted`, else kept.
    public init(_ mapping: [UInt8: UInt8], dropUnlisted: Bool) {
        table = (0...255).map { dropUnlisted ? 0 : UInt8($0) }
        for (from, to) in mapping { table[Int(from)] = to }
        table[0] = 0
    }

    public subscript(id: UInt8) -> UInt8 {
        get { table[Int(id)] }
        set { if id != 0 { table[Int(id)] = newValue } }
    }
}
