/// The 96-bit STUN transaction id (RFC 8489 §5), kept as three integers so that it is
/// free to copy, compare and hash.
public struct STUNTransactionID: Sendable, Hashable, CustomStringConvertible {
    /// Bytes 0–3, 4–7 and 8–11 of the id, each first byte most significant.
    public var word0: UInt32
    public var word1: UInt32
    public var word2: UInt32

    @inlinable
    public init(word0: UInt32, word1: UInt32, word2: UInt32) {
        self.word0 = word0
        self.word1 = word1
        self.word2 = word2
    }

    /// The id from its 12 bytes; nil unless exactly 12 bytes are given.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 12 else { return nil }
        var words: (UInt32, UInt32, UInt32) = (0, 0, 0)
        for (index, byte) in bytes.enumerated() {
            switch index / 4 {
            case 0: words.0 = words.0 << 8 | UInt32(byte)
            case 1: words.1 = words.1 << 8 | UInt32(byte)
            default: words.2 = words.2 << 8 | UInt32(byte)
            }
        }
        self.init(word0: words.0, word1: words.1, word2: words.2)
    }

    /// A fresh id from the system CSPRNG (RFC 8489 §5: "uniformly and randomly chosen").
    public static func random() -> STUNTransactionID {
        var generator = SystemRandomNumberGenerator()
        return STUNTransactionID(word0: generator.next(), word1: generator.next(), word2: generator.next())
    }

    /// The 12 bytes in wire order.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(12)
        for word in [word0, word1, word2] {
            result.append(UInt8(truncatingIfNeeded: word >> 24))
            result.append(UInt8(truncatingIfNeeded: word >> 16))
            result.append(UInt8(truncatingIfNeeded: word >> 8))
            result.append(UInt8(truncatingIfNeeded: word))
        }
        return result
    }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
