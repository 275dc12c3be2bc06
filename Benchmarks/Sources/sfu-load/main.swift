import Foundation
import RTP
import SFUBase

// sfu-load: P publishers and S subscribers (each subscribing to every publisher) against any
// server speaking the Janus VideoRoom API; measures delivery, latency and the server's CPU
// per forwarded packet. See Benchmarks/README.md.

func measure(_ options: LoadOptions) throws -> LoadResult {
    let run = try LoadRun(options: options)
    defer { run.tearDown() }
    try run.setUp()
    for index in 0..<options.publishers { try run.addPublisher(index: index) }
    try run.waitConnected(options.publishers, required: options.publishers, timeout: 15)
    run.log("\(options.publishers) publisher(s) connected and sending")
    for index in 0..<options.subscribers { try run.addSubscriber(index: index) }
    try run.waitConnected(
        options.publishers + options.subscribers, required: options.publishers,
        timeout: 30 + 0.1 * Double(options.subscribers))
    run.log("\(options.subscribers) subscriber(s) connected; warming up \(options.warmup) s")
    Thread.sleep(forTimeInterval: options.warmup)

    // The window is fixed in advance (each media thread gets it before it opens), so every
    // thread classifies each packet by its send time the same way.
    let startTime = MonotonicInstant.now().adding(milliseconds: 100)
    let window = MeasurementWindow(
        start: startTime.nanoseconds, end: startTime.adding(seconds: options.duration).nanoseconds)
    for loop in run.loops { loop.setWindow(window) }
    Thread.sleep(forTimeInterval: Double(startTime.nanoseconds(since: .now())) / 1e9)
    let serverStart = options.serverPID.flatMap(ProcessSample.read(pid:))
    let selfStart = ProcessSample.selfCPU()
    let machineStart = ProcessSample.machineBusyCPUSeconds()
    let start = run.snapshot()
    var previous = start
    var previousServer = serverStart
    var second = 0
    while true {
        second += 1
        let target = startTime.adding(seconds: min(Double(second), options.duration))
        let now = MonotonicInstant.now()
        if target > now { Thread.sleep(forTimeInterval: Double(target.nanoseconds(since: now)) / 1e9) }
        let current = run.snapshot()
        let server = options.serverPID.flatMap(ProcessSample.read(pid:))
        let interval = Double(second) <= options.duration ? 1.0 : options.duration - Double(second - 1)
        var line = String(
            format: "[%3ds] peers %d/%d  sent %6.0f pkt/s  received %7.0f pkt/s", second, current.connected,
            current.peers, Double(current.sent - previous.sent) / interval,
            Double(current.received - previous.received) / interval)
        if let server, let previousServer {
            line += String(
                format: "  server CPU %5.1f%%  RSS %.1f MB", (server.cpuSeconds - previousServer.cpuSeconds) / interval * 100,
                Double(server.rssBytes) / 1_048_576)
        }
        if !current.failures.isEmpty { line += "  failed: \(current.failures.count)" }
        run.log(line)
        previous = current
        previousServer = server
        if Double(second) >= options.duration { break }
    }
    let endTime = MonotonicInstant.now()
    let serverEnd = options.serverPID.flatMap(ProcessSample.read(pid:))
    let selfEnd = ProcessSample.selfCPU()
    let machineEnd = ProcessSample.machineBusyCPUSeconds()
    let elapsed = Double(endTime.nanoseconds(since: startTime)) / 1e9
    // Let the packets sent before the end arrive (they count by send time): the publishers
    // stop, then wait until nothing more arrives — a harness that fell behind shows up as
    // latency and `drain_s`, not as loss.
    run.publisherLoop.stopMedia()
    let drainStart = Date()
    var received = run.snapshot().received
    while Date().timeIntervalSince(drainStart) < 15 {
        Thread.sleep(forTimeInterval: 0.25)
        let now = run.snapshot().received
        if now == received { break }
        received = now
    }
    let drain = Date().timeIntervalSince(drainStart)
    let end = run.snapshot()
    var latency = LatencyHistogram()
    for loop in run.loops { latency.merge(loop.latencyHistogram) }
    let deliveries = run.deliveries()
    return LoadResult(
        options: options, elapsed: elapsed, start: start, end: end, latency: latency, serverStart: serverStart,
        serverEnd: serverEnd, loadCPUSeconds: selfEnd.user + selfEnd.system - selfStart.user - selfStart.system,
        loadSystemCPUSeconds: selfEnd.system - selfStart.system, packetsSent: deliveries.sent,
        packetsReceived: deliveries.received, duplicates: deliveries.duplicates,
        payloadOctets: deliveries.payloadOctets,
        encodedVideoBitrate: run.media.videoBitrate, encodedAudioBitrate: run.media.audioBitrate, drainSeconds: drain,
        machineBusyCPUSeconds: machineStart.flatMap { start in machineEnd.map { $0 - start } })
}

do {
    let options = try LoadOptions.parse(Array(CommandLine.arguments.dropFirst()))
    let result = try measure(options)
    let table = result.table()
    if options.json {
        FileHandle.standardError.write(Data(table.utf8))
        print(try result.json())
    } else {
        print(table, terminator: "")
    }
    exit(result.end.failures.isEmpty ? 0 : 1)
} catch let error as LoadOptions.UsageError {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("sfu-load: \(error)\n".utf8))
    exit(1)
}
