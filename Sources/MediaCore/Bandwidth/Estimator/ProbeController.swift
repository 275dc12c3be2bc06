/// Decides when the transport should send a probe cluster, and how fast.
///
/// libwebrtc's ProbeController (probing is not part of draft-ietf-rmcat-gcc-02):
/// - initial probes at 3× and 6× the start rate (unless demand is already met);
/// - exponential "further" probing: a result ≥ 70 % of the probed rate while demand is
///   still above the estimate leads to a probe at 2× the result, until the probe had
///   to be clipped at the ceiling or no good result arrives within 1 s;
/// - periodic probing (libwebrtc's ALR probing, generalised): at 2× the estimate when
///   demand exceeds the estimate and nothing was probed for 3 s;
/// - fast recovery: 2.5 s after a drop of more than a third, re-probe at 85 % of the
///   rate before the drop;
/// - an immediate probe when the cap is raised or demand jumps.
/// Probes never exceed min(ceiling, 2 × demand) and are only issued when they would
/// test something above the current estimate.
struct ProbeController: Sendable {
    static let initialFactors = [3.0, 6.0]
    static let furtherFactor = 2.0
    static let furtherThreshold = 0.7
    static let resultWaitMicros: Int64 = 1_000_000
    static let periodicIntervalMicros: Int64 = 3_000_000
    static let largeDropRatio = 0.66
    static let dropEpisodeGapMicros: Int64 = 1_000_000
    static let recoveryDelayMicros: Int64 = 2_500_000
    static let recoveryFraction = 0.85
    static let demandHeadroom = 2.0
    // Longer than libwebrtc's 15 ms: a cluster that fits in a shaper's burst allowance (a token
    // bucket of 10 kB passes 15 ms at 5 Mbit/s untouched) proves a rate the link does not carry.
    static let clusterDurationMicros: Int64 = 40_000
    static let clusterMinimumPackets = 5

    /// What the owner knows when asking for a probe.
    struct Context: Sendable {
        var estimate: Double
        var demand: Double?
        /// min(maximum, cap, receiver estimate)
        var ceiling: Double
        /// Periodic / recovery probing needs TWCC feedback to be useful.
        var feedbackSeen: Bool
        var overusing: Bool

        /// Highest rate worth probing: no point testing far beyond what we'd send.
        var limit: Double { min(ceiling, demand.map { $0 * ProbeController.demandHeadroom } ?? ceiling) }
        /// Demand above the estimate: we'd send more if allowed (not application-limited).
        var wantsMore: Bool { (demand.map { $0 > estimate } ?? true) && estimate < ceiling }
    }

    private struct Awaiting: Sendable {
        var rate: Double
        var deadline: Int64
        var mayContinue: Bool
    }

    private struct DropEpisode: Sendable {
        var before: Double
        var start: Int64
        var lastDecrease: Int64
    }

    private let startRate: Double
    private var queue = FixedRing(capacity: 4, filler: ProbeCluster(id: 0, bitsPerSecond: 0, durationMicros: 0, minimumPackets: 0))
    private var nextId = 1
    private var initialDone = false
    private var awaiting: Awaiting?
    private var lastProbeAt: Int64?
    private var dropEpisode: DropEpisode?
    private var lastEstimate: Double
    private var probeRequested = false

    init(startRate: Double) {
        self.startRate = startRate
        lastEstimate = startRate
    }

    /// The cap was raised or demand jumped: worth a probe as soon as possible.
    mutating func requestProbe() {
        if initialDone { probeRequested = true }
    }

    /// Tracks estimate drops for fast recovery.
    mutating func onEstimate(_ estimate: Double, now: Int64) {
        if estimate < lastEstimate {
            if var episode = dropEpisode, now - episode.lastDecrease <= Self.dropEpisodeGapMicros {
                episode.lastDecrease = now
                dropEpisode = episode
            } else {
                dropEpisode = DropEpisode(before: lastEstimate, start: now, lastDecrease: now)
            }
        } else if let episode = dropEpisode, estimate >= episode.before {
            dropEpisode = nil
        }
        lastEstimate = estimate
    }

    /// A probe result was accepted; `context.estimate` already includes it.
    mutating func onProbeResult(_ bps: Double, now: Int64, context: Context) {
        guard let pending = awaiting, pending.mayContinue,
              bps >= Self.furtherThreshold * pending.rate else { return }
        awaiting = nil
        if context.wantsMore {
            enqueue(Self.furtherFactor * bps, now: now, context: context)
        }
    }

    mutating func poll(now: Int64, context: Context) -> ProbeCluster? {
        if let pending = awaiting, now > pending.deadline { awaiting = nil }
        if !initialDone {
            initialDone = true
            // Skipped when demand is known and already met: nothing to find out.
            for factor in Self.initialFactors where context.wantsMore {
                enqueue(factor * startRate, now: now, context: context)
            }
        }
        if queue.isEmpty, awaiting == nil, context.feedbackSeen, !context.overusing, context.wantsMore {
            scheduleFollowUp(now: now, context: context)
        }
        guard let probe = queue.removeFirst() else { return nil }
        lastProbeAt = now
        return probe
    }

    private mutating func scheduleFollowUp(now: Int64, context: Context) {
        if probeRequested {
            probeRequested = false
            enqueue(Self.furtherFactor * context.estimate, now: now, context: context)
            return
        }
        if let episode = dropEpisode, now - episode.start >= Self.recoveryDelayMicros {
            dropEpisode = nil
            if context.estimate < Self.largeDropRatio * episode.before {
                enqueue(Self.recoveryFraction * episode.before, now: now, context: context)
                return
            }
        }
        if let last = lastProbeAt, now - last < Self.periodicIntervalMicros { return }
        enqueue(Self.furtherFactor * context.estimate, now: now, context: context)
    }

    /// A probe the owner asked for (to test headroom on top of what it sends): only the
    /// ceiling limits it.
    mutating func enqueueRequested(_ rate: Double, durationMicros: Int64, now: Int64, context: Context) -> Int? {
        let target = min(rate, context.ceiling)
        guard target >= 1_000, target.isFinite, queue.isEmpty, awaiting == nil else { return nil }
        let duration = min(max(durationMicros, Self.clusterDurationMicros), 900_000)
        let probe = ProbeCluster(
            id: nextId, bitsPerSecond: SafeMath.int(target), durationMicros: duration,
            minimumPackets: Self.clusterMinimumPackets)
        nextId = nextId == Int.max ? 1 : nextId + 1
        queue.append(probe)
        awaiting = Awaiting(rate: target, deadline: now + duration + Self.resultWaitMicros, mayContinue: false)
        return probe.id
    }

    private mutating func enqueue(_ rate: Double, now: Int64, context: Context) {
        var target = rate
        var mayContinue = true
        if target >= context.limit {
            // Clipped: probing higher would test rates nobody wants.
            target = context.limit
            mayContinue = false
        }
        guard target > context.estimate * 1.05, target.isFinite else { return }
        let probe = ProbeCluster(
            id: nextId,
            bitsPerSecond: SafeMath.int(target),
            durationMicros: Self.clusterDurationMicros,
            minimumPackets: Self.clusterMinimumPackets)
        nextId = nextId == Int.max ? 1 : nextId + 1
        queue.append(probe)
        awaiting = Awaiting(rate: target, deadline: now + Self.resultWaitMicros, mayContinue: mayContinue)
    }
}
