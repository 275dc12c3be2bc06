/// Send-side bandwidth estimator for one subscriber PeerConnection (Google Congestion
/// Control, draft-ietf-rmcat-gcc-02 as libwebrtc's goog_cc does it today).
///
/// Sans-IO: the owner feeds TWCC feedback, REMB, demand and the passage of time, and
/// reads the target rate and probe requests back. It owns no clock, no timers and no
/// sockets; every method is O(feedback size) and steady-state work does not allocate.
///
/// The estimate is min(delay-based AIMD rate, loss-based ceiling, REMB), clamped to
/// [minimum, min(cap, maximum)]. Without any TWCC feedback it simply follows REMB.
/// Times are µs from an arbitrary origin and should not go backwards (backward steps
/// are treated as no time passing). Any input, however garbled, keeps the estimate
/// within bounds.
struct BandwidthEstimator: Sendable {
    /// Feedbacks larger than this are truncated to their newest packets.
    static let maxPacketsPerFeedback = 4096
    /// No feedback for this long while sending means the path is in trouble.
    static let feedbackTimeoutMicros: Int64 = 500_000
    static let timeoutFactor = 0.8
    /// A transport sequence this far behind the newest one is a restart, not a duplicate.
    static let sequenceRestartDistance: Int64 = 1 << 20
    static let maxRoundTripMicros: Int64 = 10_000_000

    private let minimum: Double
    private let maximum: Double
    private var cap: Double?
    private var demand: Double?
    private var receiverEstimate: Double?
    private var clock: Int64?
    private var feedbackSeen = false
    private var lastFeedbackAt: Int64 = 0
    private var lastTimeoutCutAt: Int64 = 0
    private var highestSequence: Int64?
    private var roundTrip: Int64?
    private var scratch: [SentPacketOutcome] = []

    private var grouper = InterArrivalGrouper()
    private var trendline = TrendlineEstimator()
    private var detector = OveruseDetector()
    private var acknowledged = AcknowledgedBitrateEstimator()
    private var aimd: AimdRateController
    private var lossBased: LossBasedController
    private var probeResults = ProbeResultEstimator()
    private var prober: ProbeController

    private(set) var diagnostics = Diagnostics()

    init(
        startBitsPerSecond: Int = 300_000,
        minimumBitsPerSecond: Int = 50_000,
        maximumBitsPerSecond: Int = 20_000_000
    ) {
        // A zero floor would let multiplicative steps stall at 0; 1 kbit/s is "nothing".
        let lo = max(1_000, SafeMath.rate(minimumBitsPerSecond))
        let hi = max(lo, SafeMath.rate(maximumBitsPerSecond))
        let start = SafeMath.clamp(SafeMath.rate(startBitsPerSecond), lo, hi)
        minimum = lo
        maximum = hi
        aimd = AimdRateController(start: start, minimum: lo, maximum: hi)
        lossBased = LossBasedController(minimum: lo, maximum: hi)
        prober = ProbeController(startRate: start)
        scratch.reserveCapacity(512)
        refreshDiagnostics()
    }

    // MARK: - Inputs

    /// One TWCC feedback's packets (in transport-sequence order, may include lost ones),
    /// received at `now`.
    mutating func handleFeedback(_ packets: [SentPacketOutcome], now: Int64) {
        let now = advanceClock(now)
        if !feedbackSeen, let remb = receiverEstimate {
            // Switching from REMB-only to TWCC: continue from where REMB had us.
            aimd.setRate(remb, now: now)
        }
        feedbackSeen = true
        lastFeedbackAt = now
        let estimateBefore = rawEstimate

        let counts = collect(packets, now: now)
        let usage = runDelayDetector()
        let acked = acknowledged.bitsPerSecond
        aimd.roundTripMicros = roundTrip ?? aimd.roundTripMicros

        var probed = false
        if let result = probeResults.takeResult() {
            diagnostics.lastProbeBitsPerSecond = SafeMath.int(result.bitsPerSecond)
            diagnostics.probeResults &+= 1
            diagnostics.lastProbeCluster = result.cluster
            // A probe that overloaded the path shows up as overuse: then it proved nothing.
            if usage != .overusing, result.bitsPerSecond > estimateBefore {
                probed = true
                diagnostics.raisingProbes &+= 1
                if result.bitsPerSecond > aimd.rate { aimd.setRate(result.bitsPerSecond, now: now) }
                lossBased.raise(to: result.bitsPerSecond)
                prober.onProbeResult(result.bitsPerSecond, now: now, context: probeContext)
            }
        }
        if !probed {
            if usage != .overusing || aimd.timeToReduceFurther(now: now, acknowledged: acked) {
                aimd.update(usage, acknowledged: acked, now: now)
            }
        }
        lossBased.onFeedback(
            lost: counts.lost, total: counts.total,
            current: min(aimd.rate, lossBased.rate),
            roundTripMicros: aimd.roundTripMicros, now: now)
        prober.onEstimate(Double(estimate), now: now)

        diagnostics.delayState = usage
        diagnostics.acknowledgedBitsPerSecond = acked.map(SafeMath.int)
        diagnostics.packetsAccepted &+= counts.total
        diagnostics.packetsRejected &+= counts.rejected
        refreshDiagnostics()
    }

    /// The receiver's own estimate (REMB). Without TWCC the estimate follows it; with
    /// TWCC it is an upper bound.
    mutating func handleReceiverEstimate(bitsPerSecond: Int, now: Int64) {
        let now = advanceClock(now)
        receiverEstimate = SafeMath.rate(bitsPerSecond)
        prober.onEstimate(Double(estimate), now: now)
    }

    /// The subscriber's own data cap (nil or ≤ 0 = none): the estimate never exceeds it.
    /// If the cap is cut below `minimum`, the cap wins.
    mutating func setCap(bitsPerSecond: Int?) {
        let newCap: Double? = bitsPerSecond.flatMap { $0 > 0 ? SafeMath.rate($0) : nil }
        if let old = cap, newCap.map({ $0 > old }) ?? true {
            prober.requestProbe()   // the room above us just grew: find out how much
        }
        cap = newCap
    }

    /// The owner wants to know whether the path carries `bitsPerSecond` of padding on top of what
    /// it sends now (before spending the estimate on more): a probe at that rate, within the
    /// ceiling (cap, REMB), whether or not it would test more than the estimate.
    /// Returns the cluster's id (nil when none could be queued); `durationMicros` as the owner
    /// wants it (a long, gentle probe tests what the path sustains, beyond any burst allowance).
    @discardableResult
    mutating func requestProbe(paddingBitsPerSecond: Int, durationMicros: Int64, now: Int64) -> Int? {
        let now = advanceClock(now)
        return prober.enqueueRequested(
            SafeMath.rate(paddingBitsPerSecond), durationMicros: durationMicros, now: now, context: probeContext)
    }

    /// What the allocator would send with no limit. Probing only happens while demand
    /// exceeds the estimate (otherwise we are application-limited and learn nothing).
    mutating func setDemand(bitsPerSecond: Int, now: Int64) {
        advanceClock(now)
        let newDemand = SafeMath.rate(bitsPerSecond)
        if let old = demand, newDemand > 1.5 * old, newDemand > Double(estimate) {
            prober.requestProbe()
        }
        demand = newDemand
    }

    /// Time passes with no feedback; call every 25–100 ms. Runs the feedback timeout:
    /// after 500 ms without TWCC feedback while there is something to send, the
    /// delay-based rate is cut by 20 % every further 500 ms.
    mutating func tick(now: Int64) {
        let now = advanceClock(now)
        guard feedbackSeen, (demand ?? 1) > 0 else { return }
        let since = now - max(lastFeedbackAt, lastTimeoutCutAt)
        guard since >= Self.feedbackTimeoutMicros else { return }
        lastTimeoutCutAt = now
        aimd.scaleDown(by: Self.timeoutFactor, now: now)
        prober.onEstimate(Double(estimate), now: now)
        refreshDiagnostics()
    }

    // MARK: - Outputs

    /// The current target send rate, bits/s, in [minimum, min(cap, maximum)].
    var estimate: Int {
        let upper = min(maximum, cap ?? maximum)
        let lower = min(minimum, upper)
        return SafeMath.int(SafeMath.clamp(rawEstimate, lower, upper))
    }

    /// A probe the transport should send now, if any (each is returned once). Call it
    /// whenever the pacer could start a cluster, e.g. on every `tick`; initial probes
    /// come on the first call. Only send them when TWCC is negotiated.
    mutating func nextProbe(now: Int64) -> ProbeCluster? {
        let now = advanceClock(now)
        guard let probe = prober.poll(now: now, context: probeContext) else { return nil }
        probeResults.register(probe, now: now)
        return probe
    }

    // MARK: - Internals

    /// The estimate before cap/min/max clamping.
    private var rawEstimate: Double {
        guard feedbackSeen else { return receiverEstimate ?? aimd.rate }
        return min(aimd.rate, lossBased.rate, receiverEstimate ?? .infinity)
    }

    private var probeContext: ProbeController.Context {
        var ceiling = min(maximum, cap ?? maximum)
        if feedbackSeen, let remb = receiverEstimate { ceiling = min(ceiling, remb) }
        return ProbeController.Context(
            estimate: Double(estimate), demand: demand, ceiling: ceiling,
            feedbackSeen: feedbackSeen, overusing: detector.state == .overusing)
    }

    @discardableResult
    private mutating func advanceClock(_ now: Int64) -> Int64 {
        let t = max(clock ?? SafeMath.time(now), SafeMath.time(now))
        clock = t
        return t
    }

    /// Filters, sanitises and accounts the feedback; leaves received packets in
    /// `scratch` sorted by arrival for the delay filters.
    private mutating func collect(_ packets: [SentPacketOutcome], now: Int64) -> (total: Int, lost: Int, rejected: Int) {
        scratch.removeAll(keepingCapacity: true)
        var total = 0, lost = 0, rejected = 0
        var minRoundTrip: Int64?
        var sortedByArrival = true
        let skip = max(0, packets.count - Self.maxPacketsPerFeedback)
        rejected += skip
        for index in skip..<packets.count {
            var p = packets[index]
            guard isNewSequence(p.transportSequence) else { rejected += 1; continue }
            highestSequence = p.transportSequence
            p.sentAtMicros = SafeMath.time(p.sentAtMicros)
            p.sizeBytes = SafeMath.size(p.sizeBytes)
            p.arrivedAtMicros = p.arrivedAtMicros.map(SafeMath.time)
            total += 1
            if let cluster = p.probeCluster {
                probeResults.add(cluster: cluster, sentAt: p.sentAtMicros, arrivedAt: p.arrivedAtMicros, bytes: p.sizeBytes, now: now)
            }
            guard let arrival = p.arrivedAtMicros else { lost += 1; continue }
            let rtt = now - p.sentAtMicros
            if rtt >= 0, rtt <= Self.maxRoundTripMicros { minRoundTrip = min(minRoundTrip ?? rtt, rtt) }
            if let previous = scratch.last?.arrivedAtMicros, arrival < previous { sortedByArrival = false }
            scratch.append(p)
        }
        if !sortedByArrival {
            // Rare (reordering or garbage); the only place that may allocate.
            scratch.sort { ($0.arrivedAtMicros ?? 0, $0.transportSequence) < ($1.arrivedAtMicros ?? 0, $1.transportSequence) }
        }
        for p in scratch {
            acknowledged.add(arrivedAt: p.arrivedAtMicros ?? 0, bytes: p.sizeBytes)
        }
        if let sample = minRoundTrip {
            // Newest packet of a feedback ≈ path RTT plus feedback delay; smooth like TCP.
            roundTrip = roundTrip.map { ($0 * 7 + max(sample, 1_000)) / 8 } ?? max(sample, 1_000)
        }
        return (total, lost, rejected)
    }

    /// Accepts increasing transport sequences; a huge step back is a restart.
    private func isNewSequence(_ sequence: Int64) -> Bool {
        guard let highest = highestSequence else { return true }
        if sequence > highest { return true }
        let (distance, overflow) = highest.subtractingReportingOverflow(sequence)
        return overflow || distance > Self.sequenceRestartDistance
    }

    private mutating func runDelayDetector() -> DelayState {
        for p in scratch {
            guard let arrival = p.arrivedAtMicros else { continue }
            let resets = grouper.resets
            let delta = grouper.add(sentAt: p.sentAtMicros, arrivedAt: arrival)
            if grouper.resets != resets {
                // Receiver clock jump: delays before and after are not comparable.
                trendline.reset()
                detector.reset()
            }
            guard let delta else { continue }
            let slope = trendline.update(delta)
            _ = detector.detect(trend: slope, sendDeltaMs: delta.sendDeltaMs,
                                deltaCount: trendline.deltaCount, nowMs: delta.arrivalMs)
        }
        return detector.state
    }

    private mutating func refreshDiagnostics() {
        diagnostics.lossFraction = lossBased.lastLossFraction
        diagnostics.delayBasedBitsPerSecond = SafeMath.int(aimd.rate)
        diagnostics.lossBasedBitsPerSecond = SafeMath.int(lossBased.rate)
        diagnostics.roundTripMicros = roundTrip ?? 0
        diagnostics.modifiedTrend = detector.modifiedTrend
        diagnostics.threshold = detector.threshold
    }
}
