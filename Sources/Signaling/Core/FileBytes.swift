#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and writes on POSIX calls, for the rare files signaling touches (the
/// VideoRoom rooms file). Foundation's `Data(contentsOf:)` would pull Foundation and ICU into
/// every process that embeds the server.
enum FileBytes {
    struct IOError: Error, CustomStringConvertible {
        var operation: String
        var code: Int32
        var description: String { "\(operation) failed (errno \(code))" }
    }

    static func contents(ofFile path: String) throws(IOError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw IOError(operation: "open", code: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw IOError(operation: "read", code: errno)
            }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Creates or truncates `path` (mode 0644) and writes `bytes` to it.
    static func store(_ bytes: [UInt8], inFile path: String) throws(IOError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw IOError(operation: "open", code: errno) }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return write(descriptor, base + offset, raw.count - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw IOError(operation: "write", code: errno)
            }
            offset += count
        }
    }
}
