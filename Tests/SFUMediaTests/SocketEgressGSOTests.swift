import Glibc
import ICE
import Testing

@testable import MediaCore
@testable import SFUMedia

/// The socket egress's UDP GSO grouping over loopback: runs of equal-sized datagrams to one
/// destination leave as one send, and the receiver still gets the same datagrams in order.
@Suite struct SocketEgressGSOTests {
    static func socket() throws -> UDPSocket {
        try UDPSocket.bind(address: "127.0.0.1", port: 0, receiveBuffer: 1 << 20, sendBuffer: 1 << 20)
    }

    static func queue(_ batch: DatagramOutbox, size: Int, tag: UInt8, to destination: TransportAddress) {
        guard let slot = batch.nextSlot() else { return }
        let buffer = batch.buffer(at: slot)
        for index in 0..<size { buffer[index] = tag &+ UInt8(truncatingIfNeeded: index) }
        batch.commit(length: size, to: destination)
    }

    /// The datagrams arriving on `socket` (up to `expected`, waiting at most ~0.2 s): (length, first byte).
    static func receiveAll(_ socket: UDPSocket, expected: Int) -> [(Int, UInt8)] {
        var received: [(Int, UInt8)] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        for _ in 0..<200 {
            let length = buffer.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if length < 0 {
                if received.count >= expected { break }
                usleep(1_000)
                continue
            }
            received.append((length, buffer[0]))
        }
        return received
    }

    @Test(arguments: [true, false]) func groupedDatagramsArriveOneByOneInOrder(gso: Bool) throws {
        let sender = try Self.socket()
        let first = try Self.socket()
        let second = try Self.socket()
        defer { for socket in [sender, first, second] { socket.close() } }
        let batch = DatagramOutbox(capacity: 16)
        // A: five of 1000 bytes and a shorter last one (one GSO run); B: two of 700; A again: one.
        for tag in 0..<5 { Self.queue(batch, size: 1000, tag: UInt8(tag), to: first.localAddress) }
        Self.queue(batch, size: 400, tag: 5, to: first.localAddress)
        Self.queue(batch, size: 700, tag: 10, to: second.localAddress)
        Self.queue(batch, size: 700, tag: 11, to: second.localAddress)
        Self.queue(batch, size: 1000, tag: 6, to: first.localAddress)
        let egress = SocketEgress(sockets: [sender], useGSO: gso, statistics: WorkerStatistics())
        let result = egress.transmit(batch, socketIndex: 0)
        #expect(result.sent == 9 && result.failed == 0)
        let atFirst = Self.receiveAll(first, expected: 7)
        let atSecond = Self.receiveAll(second, expected: 2)
        #expect(atFirst.map(\.0) == [1000, 1000, 1000, 1000, 1000, 400, 1000])
        #expect(atFirst.map(\.1) == [0, 1, 2, 3, 4, 5, 6])
        #expect(atSecond.map(\.0) == [700, 700])
        #expect(atSecond.map(\.1) == [10, 11])
    }
}
