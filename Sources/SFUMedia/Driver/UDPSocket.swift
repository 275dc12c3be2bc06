import CSFUSystem
import Glibc
import ICE

/// One non-blocking UDP socket of a media worker, bound to one ICE address.
/// Owned by its worker thread; closed when the worker stops.
struct UDPSocket {
    let descriptor: Int32
    let localAddress: TransportAddress
    let supportsGSO: Bool

    enum BindError: Error, CustomStringConvertible {
        case invalidAddress(String)
        case bindFailed(String, errno: Int32)
        var description: String {
            switch self {
            case .invalidAddress(let a): return "invalid ICE address '\(a)'"
            case .bindFailed(let a, let e): return "cannot bind UDP \(a): \(String(cString: strerror(e)))"
            }
        }
    }

    static func bind(address: String, port: UInt16, receiveBuffer: Int, sendBuffer: Int) throws -> UDPSocket {
        guard let requested = TransportAddress(address, port: port) else { throw BindError.invalidAddress(address) }
        let fd = requested.withSockAddr { pointer, length in
            csfu_udp_bind(pointer, length, Int32(clamping: receiveBuffer), Int32(clamping: sendBuffer))
        }
        guard fd >= 0 else { throw BindError.bindFailed("\(requested)", errno: -fd) }
        // Read back the port the kernel chose when asked for an ephemeral one.
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let bound = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let local = (bound == 0 ? TransportAddress(storage: storage) : nil) ?? requested
        return UDPSocket(descriptor: fd, localAddress: local, supportsGSO: csfu_udp_gso_supported(fd) != 0)
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}
