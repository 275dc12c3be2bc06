import TestSupport
@testable import MediaCore

/// Deterministic packet-level simulator: sender → drop-tail bottleneck → receiver →
/// TWCC-like feedback → estimator. Time advances in 1 ms steps; packet times are exact µs.
///
/// - Sender: every 5 ms sends 1,200-byte media packets at min(estimate, demand) (credit
///   based, all packets of a tick at the tick time); polls `nextProbe` each tick and
///   runs clusters one after another: padding at the cluster's rate on top of media, at
///   least `minimumPackets` packets of ≤ 1,200 bytes spread evenly over the cluster
///   duration; only the padding is tagged with the cluster id.
/// - Link: FIFO served at `linkBitsPerSecond(t)`, drop-tail (queue limit in delay or
///   bytes), then fixed propagation delay.
/// - Receiver: every 100 ms reports all sequence numbers from the last report up to the
///   highest received (arrival time in its own clock, or lost), delivered to the
///   sender after the return delay. Nothing received → no feedback.
final class NetworkSimulator {
    enum QueueLimit {
        case delayMicros(Int64)
        case bytes(Int)
    }

    struct Sample {
        var time: Int64
        var estimate: Int
        var mediaBytes: Int        // cumulative
        var paddingBytes: Int      // cumulative
        var packetsSent: Int       // cumulative
        var packetsDropped: Int    // cumulative
        var queueDelayMicros: Int64
    }

    private struct SentRecord {
        var sentAt: Int64
        var size: Int
        var cluster: Int?
    }

    private struct Queued {
        var seq: Int
        var enqueuedAt: Int64
        var size: Int
    }

    private struct ActiveProbe {
        var cluster: ProbeCluster
        var start: Int64
        var end: Int64
        var paddingTimes: [Int64]
        var paddingSize: Int
        var next = 0
    }

    // Configuration
    var demand: Int
    var linkBitsPerSecond: (Int64) -> Int
    var queueLimit: QueueLimit = .delayMicros(100_000)
    var propagationMicros: Int64 = 20_000
    var returnMicros: Int64 = 20_000
    var feedbackIntervalMicros: Int64 = 100_000
    var tickIntervalMicros: Int64 = 25_000
    var receiverClockOffset: Int64 = 987_654_321
    var mediaPacketBytes = 1_200
    var feedbackEnabled = true
    /// Extra per-packet path delay, uniform in 0...jitterMicros (seeded; FIFO kept).
    var jitterMicros: Int64 = 0
    var random = SplitMix64(state: 7)
    private var lastArrival: Int64 = 0

    private(set) var estimator: BandwidthEstimator
    private(set) var now: Int64 = 0
    private(set) var samples: [Sample] = []
    private(set) var probesIssued: [ProbeCluster] = []

    private var sent: [SentRecord] = []
    private var credit = 0.0
    private var probeQueue: [ProbeCluster] = []
    private var probe: ActiveProbe?
    private var queue: [Queued] = []
    private var queueHead = 0
    private var queueBytes = 0
    private var linkFreeAt: Int64 = 0
    private var arrivals: [(seq: Int, at: Int64)] = []
    private var arrivalsHead = 0
    private var nextReportSeq = 0
    private var feedbacks: [(deliverAt: Int64, packets: [SentPacketOutcome])] = []
    private var mediaBytes = 0
    private var paddingBytes = 0
    private var dropped = 0
    private var stepPackets: [(time: Int64, size: Int, cluster: Int?, padding: Bool)] = []

    init(estimator: BandwidthEstimator, demand: Int, link: @escaping (Int64) -> Int) {
        self.estimator = estimator
        self.demand = demand
        self.linkBitsPerSecond = link
    }

    /// Lets a test poke the estimator (cap, REMB …) mid-run.
    func withEstimator(_ body: (inout BandwidthEstimator) -> Void) { body(&estimator) }

    func run(until end: Int64) {
        while now < end {
            now += 1_000
            step()
        }
    }

    private func step() {
        let t = now
        // 1. Feedback arriving at the sender.
        while let first = feedbacks.first, first.deliverAt <= t {
            feedbacks.removeFirst()
            estimator.handleFeedback(first.packets, now: first.deliverAt)
        }
        if t % tickIntervalMicros == 0 { estimator.tick(now: t) }

        // 2. Sender.
        stepPackets.removeAll(keepingCapacity: true)
        let mediaRate = Double(min(estimator.estimate, demand))
        if t % 5_000 == 0 {
            estimator.setDemand(bitsPerSecond: demand, now: t)
            while let p = estimator.nextProbe(now: t) {
                probeQueue.append(p)
                probesIssued.append(p)
            }
            credit = min(credit + mediaRate * 0.005 / 8, Double(3 * mediaPacketBytes))
            var i: Int64 = 0
            while credit >= Double(mediaPacketBytes) {
                credit -= Double(mediaPacketBytes)
                stepPackets.append((t + i, mediaPacketBytes, nil, false))
                i += 1
            }
        }
        if probe == nil, !probeQueue.isEmpty {
            let c = probeQueue.removeFirst()
            let paddingRate = Double(c.bitsPerSecond)
            let paddingTotal = paddingRate * Double(c.durationMicros) / 8_000_000
            let count = max(c.minimumPackets, Int((paddingTotal / 1_200).rounded(.up)))
            let size = max(50, Int(paddingTotal) / max(1, count))
            let times = (0..<count).map { t + Int64($0) * c.durationMicros / Int64(count) }
            probe = ActiveProbe(cluster: c, start: t, end: t + c.durationMicros, paddingTimes: times, paddingSize: size)
        }
        if var p = probe {
            while p.next < p.paddingTimes.count, p.paddingTimes[p.next] <= t {
                stepPackets.append((p.paddingTimes[p.next], p.paddingSize, p.cluster.id, true))
                p.next += 1
            }
            probe = (p.next >= p.paddingTimes.count && t >= p.end) ? nil : p
        }
        stepPackets.sort { $0.time < $1.time }
        for pkt in stepPackets { send(pkt.time, size: pkt.size, cluster: pkt.cluster, padding: pkt.padding) }
        serveLink(until: t)

        // 3. Receiver feedback.
        if feedbackEnabled, t % feedbackIntervalMicros == 0 { sendFeedback(at: t) }

        if t % 100_000 == 0 {
            samples.append(Sample(
                time: t, estimate: estimator.estimate, mediaBytes: mediaBytes, paddingBytes: paddingBytes,
                packetsSent: sent.count, packetsDropped: dropped,
                queueDelayMicros: Int64(Double(queueBytes * 8) * 1_000_000 / Double(max(1, linkBitsPerSecond(t))))))
        }
    }

    private func send(_ time: Int64, size: Int, cluster: Int?, padding: Bool) {
        let seq = sent.count
        sent.append(SentRecord(sentAt: time, size: size, cluster: cluster))
        if padding { paddingBytes += size } else { mediaBytes += size }
        serveLink(until: time)
        let rate = Double(max(1, linkBitsPerSecond(time)))
        let full: Bool
        switch queueLimit {
        case .delayMicros(let limit): full = Double((queueBytes + size) * 8) * 1_000_000 / rate > Double(limit)
        case .bytes(let limit): full = queueBytes + size > limit
        }
        if full {
            dropped += 1
            return
        }
        queue.append(Queued(seq: seq, enqueuedAt: time, size: size))
        queueBytes += size
    }

    private func serveLink(until t: Int64) {
        while queueHead < queue.count {
            let head = queue[queueHead]
            let start = max(linkFreeAt, head.enqueuedAt)
            if start > t { break }
            let rate = Double(max(1, linkBitsPerSecond(start)))
            let finish = start + Int64((Double(head.size * 8) * 1_000_000 / rate).rounded(.up))
            linkFreeAt = finish
            queueHead += 1
            queueBytes -= head.size
            let jitter = jitterMicros > 0 ? Int64.random(in: 0...jitterMicros, using: &random) : 0
            lastArrival = max(lastArrival, finish + propagationMicros + jitter)
            arrivals.append((head.seq, lastArrival))
        }
        if queueHead > 4096 {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
    }

    private func sendFeedback(at t: Int64) {
        var received: [Int: Int64] = [:]
        var highest = -1
        while arrivalsHead < arrivals.count, arrivals[arrivalsHead].at <= t {
            let a = arrivals[arrivalsHead]
            received[a.seq] = a.at
            highest = max(highest, a.seq)
            arrivalsHead += 1
        }
        if arrivalsHead > 4096 {
            arrivals.removeFirst(arrivalsHead)
            arrivalsHead = 0
        }
        guard highest >= nextReportSeq else { return }
        var packets: [SentPacketOutcome] = []
        for seq in nextReportSeq...highest {
            let r = sent[seq]
            packets.append(SentPacketOutcome(
                transportSequence: Int64(seq), sentAtMicros: r.sentAt, sizeBytes: r.size,
                arrivedAtMicros: received[seq].map { $0 + receiverClockOffset }, probeCluster: r.cluster))
        }
        nextReportSeq = highest + 1
        feedbacks.append((t + returnMicros, packets))
    }
}

/// Figures computed from a simulator run.
extension NetworkSimulator {
    /// First sample time ≥ `from` at which `condition(estimate)` holds.
    func firstTime(from: Int64, where condition: (Int) -> Bool) -> Int64? {
        samples.first { $0.time >= from && condition($0.estimate) }?.time
    }

    func samples(from: Int64, to: Int64) -> [Sample] {
        samples.filter { $0.time >= from && $0.time <= to }
    }

    /// Mean media send rate, padding rate and packet loss over [from, to].
    func window(from: Int64, to: Int64) -> (media: Double, padding: Double, loss: Double) {
        let s = samples(from: from, to: to)
        guard let a = s.first, let b = s.last, b.time > a.time else { return (0, 0, 0) }
        let seconds = Double(b.time - a.time) / 1_000_000
        let sentPackets = b.packetsSent - a.packetsSent
        return (Double(b.mediaBytes - a.mediaBytes) * 8 / seconds,
                Double(b.paddingBytes - a.paddingBytes) * 8 / seconds,
                sentPackets > 0 ? Double(b.packetsDropped - a.packetsDropped) / Double(sentPackets) : 0)
    }
}
