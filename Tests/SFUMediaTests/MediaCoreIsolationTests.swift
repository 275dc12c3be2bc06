import Foundation
import Testing

/// The media core is sans-IO: fed datagrams, commands and time by its driver, it must not reach
/// for sockets, threads or clocks itself (issue 10). Read from the sources, so a change that
/// breaks the rule fails here rather than in review.
@Suite struct MediaCoreIsolationTests {
    static let forbidden = [
        "epoll", "recvmmsg", "sendmmsg", "recvfrom", "sendto", "pthread_create", "clock_gettime", ".now",
        "Thread", "DispatchQueue", "usleep", "nanosleep",
    ]
    static let allowedImports: Set<String> = ["DTLS", "ICE", "Logging", "RTP", "SFUBase", "Synchronization"]

    static var coreSources: [URL] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/MediaCore")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        return files
    }

    @Test func theCoreNamesNoSocketThreadOrClockAPI() throws {
        let files = Self.coreSources
        #expect(files.count > 40, "the core's sources were found")
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for word in Self.forbidden {
                #expect(!text.contains(word), "\(file.lastPathComponent) mentions \(word)")
            }
        }
    }

    @Test func theCoreImportsOnlyPureModules() throws {
        for file in Self.coreSources {
            let text = try String(contentsOf: file, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.contains(" import ") {
                guard let module = line.split(separator: " ").last.map(String.init), line.hasPrefix("import") else { continue }
                #expect(Self.allowedImports.contains(module), "\(file.lastPathComponent) imports \(module)")
            }
        }
    }
}
