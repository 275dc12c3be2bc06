#if canImport(Glibc)
import Glibc
#endif
import Signaling

/// Where the web client shipped with `sfu-server` is: the `WebClient` folder of this target,
/// which SwiftPM copies into the resource bundle beside the binary
/// (`.build/release/swift-sfu_sfu-server.resources/WebClient`; an install copies that folder
/// along). Looked up by hand rather than through `Bundle.module`, which stops the process when
/// the bundle is missing: a binary copied alone then runs without the web client.
enum BuiltinWebClient {
    static let bundleName = "swift-sfu_sfu-server.resources"

    static var directory: String? {
        guard let executable = executablePath(), let slash = executable.lastIndex(of: "/") else { return nil }
        let folder = String(executable[..<slash])
        let candidate = "\(folder)/\(bundleName)/WebClient"
        return StaticFileRoute.isDirectory(candidate) ? candidate : nil
    }

    private static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
