import Dispatch
import Glibc

/// Waits for SIGINT or SIGTERM (the default actions are disabled so shutdown can be graceful).
enum TerminationSignal {
    static func wait() async -> String {
        await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let resumed = ResumeOnce(continuation)
            for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { resumed.resume(name) }
                source.resume()
                resumed.keep(source)
            }
        }
    }

    /// Resumes the continuation for the first signal only and keeps the sources alive.
    private final class ResumeOnce: @unchecked Sendable {
        private var continuation: CheckedContinuation<String, Never>?
        private var sources: [any DispatchSourceSignal] = []
        private let lock = DispatchQueue(label: "sfu-server.signals")

        init(_ continuation: CheckedContinuation<String, Never>) { self.continuation = continuation }

        func keep(_ source: any DispatchSourceSignal) { lock.sync { sources.append(source) } }

        func resume(_ name: String) {
            let pending: CheckedContinuation<String, Never>? = lock.sync {
                defer { continuation = nil }
                return continuation
            }
            pending?.resume(returning: name)
        }
    }
}
