import CSFUSystem
import Glibc
import ICE

/// A non-blocking UDP socket for `ClientPeerDriver` (and replays that drive a `ClientPeer`
/// themselves), bound to a loopback address. Owned by its driver; its thread reads, any thread
/// holding the driver lock writes.
public struct LoopbackUDPSocket {
    public let descriptor: Int32
    public let localAddress: TransportAddress

    public enum SocketError: Error, CustomStringConvertible {
        case invalidAddress(String)
        case bindFailed(errno: Int32)
        public var description: String {
            switch self {
            case .invalidAddress(let address): return "invalid address \(address)"
            case .bindFailed(let code): return "bind failed: \(String(cString: strerror(code)))"
            }
        }
    }

    public static func bind(address: String) throws -> LoopbackUDPSocket {
        guard let requested = TransportAddress(address, port: 0) else { throw SocketError.invalidAddress(address) }
        let fd = requested.withSockAddr { pointer, length in csfu_udp_bind(pointer, length, 1 << 20, 1 << 20) }
        guard fd >= 0 else { throw SocketError.bindFailed(errno: -fd) }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let bound = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let local = (bound == 0 ? TransportAddress(storage: storage) : nil) ?? requested
        return LoopbackUDPSocket(descriptor: fd, localAddress: local)
    }

    func send(_ bytes: [UInt8], to destination: TransportAddress) {
        bytes.withUnsafeBytes { raw in
            destination.withSockAddr { address, length in
                _ = sendto(descriptor, raw.baseAddress, raw.count, 0, address, length)
            }
        }
    }

    /// One datagram into `buffer`; nil when none is waiting.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> (length: Int, source: TransportAddress?)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let received = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                recvfrom(descriptor, buffer.baseAddress, buffer.count, 0, $0, &length)
            }
        }
        guard received >= 0 else { return nil }
        return (received, TransportAddress(storage: storage))
    }

    /// Waits until readable or `milliseconds` pass.
    func waitReadable(milliseconds: Int32) {
        var descriptor = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, milliseconds)
    }

    public func close() { _ = Glibc.close(descriptor) }
}
