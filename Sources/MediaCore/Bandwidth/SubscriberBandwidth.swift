import RTP
import SFUBase

/// One subscriber PeerConnection's congestion control: what it can take (the estimate, from its
/// transport-wide feedback on what we send, or its REMB where it sends no such feedback), what
/// its user allows (`max_bitrate`), and the probes that look for more. The transport spends the
/// result over its consumers with `BandwidthAllocator`.
///
/// Sans-IO: fed feedback and time by its transport, on the transport's worker thread.
struct SubscriberBandwidth {
    /// What the estimate is made of.
    enum Input: Equatable {
        /// Nothing yet: no limit is known (unless the user set one).
        case none
        /// The subscriber's REMB: its own receive-side estimate, taken as it is.
        case receiverEstimate
        /// Transport-wide feedback: our own send-side estimate (delay, loss, probes).
        case transportWide
    }

    /// Our id of the transport-wide sequence extension on what we send (0: not negotiated).
    var extensionID: UInt8 = 0
    var history = TransportWideSendHistory()
    private(set) var estimator = BandwidthEstimator(startBitsPerSecond: Self.startBitsPerSecond)
    private(set) var input = Input.none
    /// What the path has been shown to carry: the rate the last goal probe (padding on top of the
    /// media, both counted, for `goalProbeMicroseconds`) came through at; until congestion since
    /// cuts the estimate well below it. The estimator's own short probes find headroom fast, but
    /// a shaper's burst allowance (a token bucket) lets a short cluster through at any rate:
    /// behind a 400 kbit/s tbf with a 10 kB burst they "showed" 2.5 Mbit/s.
    private(set) var proven: Int?
    /// The estimate (before the cap) when the proof came: congestion is a fall well below it.
    private var estimateAtProof = 0
    private var probeResultsSeen = 0
    /// The goal probe in flight (its cluster id), whose result is the proof.
    private var goalProbe: Int?
    private var goalEndedAt: MonotonicInstant?
    private var goalResult: Int?
    /// How long a goal probe lasts: longer than any burst allowance worth the name, short
    /// enough not to hurt the media if the path does not take it.
    static let goalProbeMicroseconds: Int64 = 300_000
    /// When the allocator last asked for a probe before an upgrade.
    private var lastProofRequestAt: MonotonicInstant?
    /// Probes asked for before an upgrade are at least this far apart.
    static let proofProbeIntervalNanoseconds: UInt64 = 2_000_000_000
    /// The user's cap (`max_bitrate`), bits/s; 0 for none.
    private(set) var cap = 0
    /// The probe being sent, if any.
    var probe: ProbeInFlight?
    /// The last allocation's total and when the next one is due.
    var allocatedBitsPerSecond = 0
    var nextAllocationAt: MonotonicInstant?
    /// Layer switches and pauses the allocator caused (for statistics).
    var switches = 0
    var pauses = 0
    var probes = 0
    private var demandKnown = false

    /// Where the estimate starts before any feedback: a subscriber starts on middle layers and
    /// the first probes (3× and 6× this) find the rest within a second or so.
    static let startBitsPerSecond = 1_000_000
    /// A stream keeps its layer while the estimate is short of it by at most this factor, for
    /// at most `downgradeHoldNanoseconds` (measured: it takes a 700 kbit/s link from 39 layer
    /// switches a minute to 0.55).
    static let downgradeTolerance = 1.15
    static let downgradeHoldNanoseconds: UInt64 = 2_000_000_000
    /// Since when the estimate has been short of what the streams have (nil: it is not).
    var shortSince: MonotonicInstant?
    /// After the estimate took a layer away, no layer is added for a while: 2 s, doubled (up to
    /// 32 s) each time a layer added went again within 10 s, back to 2 s after 30 s without a
    /// loss. A probe that fits in a link's burst allowance (a token bucket's, an ISP's shaper)
    /// says more than the link then carries; without the hold, every such probe would add a
    /// layer that the next second takes away (measured behind a 400 kbit/s tbf: 12 switches in
    /// 20 s).
    static let upgradeHoldNanoseconds: UInt64 = 2_000_000_000
    static let maximumUpgradeHoldNanoseconds: UInt64 = 32_000_000_000
    static let failedUpgradeWindowNanoseconds: UInt64 = 10_000_000_000
    static let holdResetNanoseconds: UInt64 = 30_000_000_000
    private(set) var upgradeHold = SubscriberBandwidth.upgradeHoldNanoseconds
    private(set) var holdUntil: MonotonicInstant?
    private var lastUpgradeAt: MonotonicInstant?
    private var lastDowngradeAt: MonotonicInstant?

    /// Whether adding a layer must wait.
    func upgradesHeld(now: MonotonicInstant) -> Bool { holdUntil.map { now < $0 } ?? false }

    /// A layer was added (or a paused video resumed) because the estimate allowed it: the next
    /// one waits until this one has shown it fits (`settleNanoseconds`).
    mutating func noteUpgrade(now: MonotonicInstant) {
        lastUpgradeAt = now
        holdUntil = now.adding(milliseconds: Self.settleNanoseconds / 1_000_000)
    }

    /// Between two layers added, so that congestion from the first shows before the second.
    static let settleNanoseconds: UInt64 = 700_000_000

    /// The estimate took a layer away (or paused a video).
    mutating func noteDowngrade(now: MonotonicInstant) {
        if let last = lastDowngradeAt, now.nanoseconds(since: last) >= Self.holdResetNanoseconds {
            upgradeHold = Self.upgradeHoldNanoseconds
        }
        if let upgrade = lastUpgradeAt, now.nanoseconds(since: upgrade) < Self.failedUpgradeWindowNanoseconds {
            upgradeHold = min(upgradeHold * 2, Self.maximumUpgradeHoldNanoseconds)
        }
        lastDowngradeAt = now
        lastUpgradeAt = nil
        holdUntil = now.adding(milliseconds: upgradeHold / 1_000_000)
    }

    /// The user changed the cap: what it allows now is not held back.
    mutating func releaseHold() {
        holdUntil = nil
        upgradeHold = Self.upgradeHoldNanoseconds
    }

    /// How often the allocation is redone.
    static let allocationIntervalNanoseconds: UInt64 = 100_000_000

    struct ProbeInFlight {
        var cluster: ProbeCluster
        var startedAt: MonotonicInstant
        var bytesSent = 0
        var packetsSent = 0
    }

    /// The rate the allocator may spend, nil when nothing limits this subscriber.
    var budget: Int? {
        switch input {
        case .none: cap > 0 ? cap : nil
        case .receiverEstimate, .transportWide: estimator.estimate
        }
    }

    /// The budget for moving up (an upgrade, a resume): the estimate, but no more than what a
    /// goal probe has shown the path to carry (not the acknowledged throughput: measured over a
    /// short window it includes probe bursts a shaper let through). While we
    /// send less than the estimate allows (application-limited), a delay-based estimate creeps
    /// up to 1.5 × what is acknowledged with nothing to stop it but congestion; spending that on
    /// a layer overloads the path, the estimate collapses and the layer goes again — the flapping
    /// mediasoup's users report. A probe first, then the upgrade.
    var upgradeBudget: Int? {
        guard let budget else { return nil }
        guard input == .transportWide else { return budget }
        let diagnostics = estimator.diagnostics
        // A user's cap below what the estimator believes the path takes binds on its own: there
        // is nothing to prove below it (a data saver's cap is far below most links).
        let uncapped = min(diagnostics.delayBasedBitsPerSecond, diagnostics.lossBasedBitsPerSecond)
        let capBinds = cap > 0 && uncapped >= cap
        return min(budget, max(proven ?? 0, capBinds ? cap : 0))
    }

    /// Takes a goal probe's result as proof once the whole probe has been reported (the
    /// estimator recomputes a cluster's result with every feedback that covers some of it, and
    /// the first part of a long probe is exactly what a shaper's burst allowance lets through);
    /// drops the proof once congestion cut the estimate to less than 85 % of what it was then
    /// (the estimate before the user's cap: a cap is no congestion).
    private mutating func refreshProof(now: MonotonicInstant) {
        let diagnostics = estimator.diagnostics
        let uncapped = min(diagnostics.delayBasedBitsPerSecond, diagnostics.lossBasedBitsPerSecond)
        if diagnostics.probeResults != probeResultsSeen {
            probeResultsSeen = diagnostics.probeResults
            if goalProbe != nil, diagnostics.lastProbeCluster == goalProbe { goalResult = diagnostics.lastProbeBitsPerSecond }
        }
        if let ended = goalEndedAt, now.nanoseconds(since: ended) >= Self.goalReportNanoseconds {
            // A goal probe that came through at less than what is proven says the path carries less.
            if let result = goalResult {
                proven = result
                estimateAtProof = uncapped
            }
            goalProbe = nil
            goalEndedAt = nil
            goalResult = nil
        }
        if proven != nil, uncapped < estimateAtProof * 85 / 100 { proven = nil }
    }

    /// Probe `cluster` sent its last packet.
    mutating func probeEnded(cluster: Int, now: MonotonicInstant) {
        if cluster == goalProbe { goalEndedAt = now }
    }

    /// After a goal probe's last packet, the feedback on all of it has come by then (feedback
    /// every 100 ms, plus the path's delay).
    static let goalReportNanoseconds: UInt64 = 300_000_000

    /// The user's cap (0: none), effective at once.
    mutating func setCap(_ bitsPerSecond: Int) {
        cap = max(0, bitsPerSecond)
        estimator.setCap(bitsPerSecond: cap > 0 ? cap : nil)
    }

    mutating func handleFeedback(_ feedback: RTCPTransportWideFeedback, now: MonotonicInstant) {
        let outcomes = history.outcomes(of: feedback)
        guard !outcomes.isEmpty else { return }
        input = .transportWide
        estimator.handleFeedback(outcomes, now: Self.micros(now))
        refreshProof(now: now)
    }

    mutating func handleReceiverEstimate(bitsPerSecond: Int, now: MonotonicInstant) {
        // With transport-wide feedback the REMB is only an upper bound the estimator applies.
        if input == .none { input = .receiverEstimate }
        estimator.handleReceiverEstimate(bitsPerSecond: bitsPerSecond, now: Self.micros(now))
    }

    mutating func tick(demand: Int, now: MonotonicInstant) {
        demandKnown = true
        estimator.setDemand(bitsPerSecond: demand, now: Self.micros(now))
        estimator.tick(now: Self.micros(now))
        refreshProof(now: now)
    }

    /// The allocator would move up to `total` bits/s if the path were known to carry it: a probe
    /// of the difference, as padding on top of the `sending` bits/s of media that go out now (at
    /// most every 2 s).
    mutating func wantProof(of total: Int, sending: Int, now: MonotonicInstant) {
        guard input == .transportWide, probe == nil else { return }
        if let last = lastProofRequestAt, now.nanoseconds(since: last) < Self.proofProbeIntervalNanoseconds { return }
        if let id = estimator.requestProbe(
            paddingBitsPerSecond: max(Self.minimumProofPadding, total - sending), durationMicros: Self.goalProbeMicroseconds,
            now: Self.micros(now))
        {
            goalProbe = id
            lastProofRequestAt = now  // (a probe of the estimator's own in the way: asked again next time)
        }
    }

    /// The smallest padding rate worth a probe.
    static let minimumProofPadding = 50_000

    /// A probe to start now, if the estimator wants one and none is running. Not before the
    /// first allocation told the estimator what we would send: its start-up probes are only
    /// worth it, and only issued, when that is more than the estimate.
    mutating func startProbeIfDue(now: MonotonicInstant) -> Bool {
        guard input == .transportWide, demandKnown, probe == nil, let cluster = estimator.nextProbe(now: Self.micros(now))
        else { return false }
        probe = ProbeInFlight(cluster: cluster, startedAt: now)
        probes += 1
        return true
    }

    static func micros(_ instant: MonotonicInstant) -> Int64 { Int64(instant.nanoseconds / 1_000) }
}
