// Forwarding core (issue 4): the server's real receive → unprotect → fan-out → rewrite →
// protect → sendmmsg path, one publisher to N subscribers (see `ForwardingReplay`). One
// benchmark iteration forwards one publisher packet to every subscriber, so
// (mallocCountTotal − baseline) / subscribers is the number of mallocs per forwarded packet
// (target: 0); the baseline benchmark measures what the harness itself allocates per iteration.
import Benchmark
import ForwardingReplay

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, .cpuTotal, .wallClock, .throughput],
        warmupIterations: 200,
        maxDuration: .seconds(3),
        maxIterations: 20_000)

    // The harness's own per-iteration allocations, to subtract from the figures below.
    Benchmark("Baseline: empty iteration") { (benchmark: Benchmark, replay: ForwardingReplay) in
        for _ in benchmark.scaledIterations { blackHole(replay.subscriberCount) }
    } setup: {
        try ForwardingReplay(subscribers: 1, batch: 1)
    }

    for (subscribers, crossWorker) in [(1, false), (50, false), (200, false), (50, true)] {
        let name = "Forward one 1200 B AES-GCM packet to \(subscribers) subscriber(s)"
            + (crossWorker ? " on another worker" : "")
        Benchmark(name) { (benchmark: Benchmark, replay: ForwardingReplay) in
            for _ in benchmark.scaledIterations {
                replay.feed(packets: 1)
            }
        } setup: {
            let replay = try ForwardingReplay(subscribers: subscribers, crossWorker: crossWorker, batch: 1)
            replay.feed(packets: 64)
            return replay
        }
    }
}
