import Glibc
import ICE

/// A non-blocking UDP socket bound to `--local-address` (ephemeral port), one per peer.
/// Touched only by the media thread that owns its peer (and by the main thread before that).
struct UDPSocket {
    let descriptor: Int32
    let port: UInt16

    struct BindError: Error, CustomStringConvertible {
        var description: String
    }

    static func bind(address: String) throws(BindError) -> UDPSocket {
        guard let requested = TransportAddress(address, port: 0) else { throw BindError(description: "bad address \(address)") }
        let fd = socket(requested.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw BindError(description: "socket: errno \(errno)") }
        var size: Int32 = 4 << 20
        // The FORCE variants pass net.core.rmem_max/wmem_max when run as root (the netns scripts).
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = requested.withSockAddr { pointer, length in Glibc.bind(fd, pointer, length) }
        guard bound == 0 else {
            let code = errno
            Glibc.close(fd)
            throw BindError(description: "bind \(address): \(String(cString: strerror(code)))")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = TransportAddress(storage: storage)?.port ?? 0
        return UDPSocket(descriptor: fd, port: port)
    }

    func send(_ bytes: [UInt8], to destination: TransportAddress) {
        bytes.withUnsafeBytes { raw in
            destination.withSockAddr { address, length in
                _ = sendto(descriptor, raw.baseAddress, raw.count, 0, address, length)
            }
        }
    }

    /// One datagram into `buffer` and its source; nil when none is waiting.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> (Int, TransportAddress?)? {
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

    func close() { _ = Glibc.close(descriptor) }
}
