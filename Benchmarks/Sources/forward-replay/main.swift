// forward-replay: a fixed in-process forwarding workload (issue 4). One publisher's AES-GCM SRTP
// video packets go through the server's real receive, fan-out, rewrite, protect and send path to
// N subscribers (see `ForwardingReplay`). Deterministic, so that
//   valgrind --tool=callgrind forward-replay --packets 1000 …   and   … --packets 2000 …
// differ by exactly 1000 × N forwarded packets: (Ir₂ − Ir₁) / (1000 × N) is the user-space
// instruction count per forwarded packet. Without valgrind it also prints CPU time per packet.
//
// Usage: forward-replay [--subscribers N] [--packets P] [--warmup W] [--size BYTES] [--batch B]
//                       [--cross-worker] [--no-gso] [--twcc]
// --twcc: transport-wide congestion control negotiated both ways, as with Chromium (the
// publisher's packets carry its numbers, every forwarded packet takes the subscriber's own).
import Foundation
import ForwardingReplay

struct Options {
    var subscribers = 200
    var packets = 2000
    var warmup = 64
    var size = 1200
    var batch = 8
    var crossWorker = false
    var gso = true
    var transportWideCC = false

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        func number(_ name: String) throws -> Int {
            guard let text = iterator.next(), let value = Int(text), value >= 0 else { throw UsageError(name) }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--subscribers": subscribers = try number(argument)
            case "--packets": packets = try number(argument)
            case "--warmup": warmup = try number(argument)
            case "--size": size = try number(argument)
            case "--batch": batch = max(1, try number(argument))
            case "--cross-worker": crossWorker = true
            case "--no-gso": gso = false
            case "--twcc": transportWideCC = true
            default: throw UsageError(argument)
            }
        }
    }
}

struct UsageError: Error, CustomStringConvertible {
    let argument: String
    init(_ argument: String) { self.argument = argument }
    var description: String {
        "bad argument \(argument)\nusage: forward-replay [--subscribers N] [--packets P] [--warmup W] [--size BYTES] "
            + "[--batch B] [--cross-worker] [--no-gso] [--twcc]"
    }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let replay = try ForwardingReplay(
        subscribers: options.subscribers, packetSize: options.size, crossWorker: options.crossWorker,
        batch: options.batch, udpGSO: options.gso, transportWideCC: options.transportWideCC)
    replay.feed(packets: options.warmup)
    replay.drainSinks()
    let sentBefore = replay.datagramsSent
    let cpuBefore = cpuSeconds()
    let wallBefore = Date()
    replay.feed(packets: options.packets)
    let cpu = cpuSeconds() - cpuBefore
    let wall = Date().timeIntervalSince(wallBefore)
    let forwarded = replay.datagramsSent - sentBefore
    let expected = options.packets * options.subscribers
    print(
        """
        forward-replay: \(options.subscribers) subscribers, \(options.packets) packets of \(options.size) B, \
        batch \(options.batch), \(options.crossWorker ? "cross-worker" : "one worker"), GSO \(options.gso ? "on" : "off")\
        \(options.transportWideCC ? ", transport-wide CC" : "")
        forwarded \(forwarded) of \(expected) datagrams
        CPU \(String(format: "%.3f", cpu)) s (\(String(format: "%.3f", cpu * 1e6 / Double(max(1, forwarded)))) µs per \
        forwarded packet, \(String(format: "%.0f", Double(forwarded) / max(cpu, 1e-9))) packets per CPU-second), \
        wall \(String(format: "%.3f", wall)) s
        """)
    if forwarded != expected { exit(2) }
} catch {
    FileHandle.standardError.write(Data("forward-replay: \(error)\n".utf8))
    exit(1)
}
