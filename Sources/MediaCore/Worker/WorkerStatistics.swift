import RTP
import Synchronization

/// Per-worker counters, written by the worker with relaxed atomics and read by anyone.
package final class WorkerStatistics: Sendable {
    package init() {}
    package let datagramsReceived = Atomic<Int>(0)
    package let datagramsSent = Atomic<Int>(0)
    package let datagramsDropped = Atomic<Int>(0)
    package let sendFailures = Atomic<Int>(0)
    package let transports = Atomic<Int>(0)
    /// Slot references pushed to other workers' rings (one per consumer worker per packet).
    package let slotsHandedOff = Atomic<Int>(0)
    /// Slots taken from inbound rings (forwarded to the subscribers still routed here).
    package let slotsDelivered = Atomic<Int>(0)
    /// Packets not handed to a consumer worker: its ring was full or the slab was exhausted.
    package let fanOutDrops = Atomic<Int>(0)
    /// Sockets on which the kernel refused UDP GSO (then sent without it).
    package let gsoDisabled = Atomic<Int>(0)
    /// Transport objects installed on this worker and not yet deinitialized: stays above
    /// `transports` only while something still references a removed transport (a leak if it
    /// does not come down).
    package let liveTransportObjects = Atomic<Int>(0)
    /// UDP payload bytes received and queued to the kernel (added once per batch).
    package let bytesReceived = Atomic<Int>(0)
    package let bytesSent = Atomic<Int>(0)
    /// Packets dropped by the slab being exhausted (part of `fanOutDrops`; the rest: a full ring).
    package let slabExhaustedDrops = Atomic<Int>(0)
    /// SRTP/SRTCP packets dropped: the tag did not verify, a replay, anything else (malformed,
    /// too short, too many SSRCs).
    package let srtpAuthenticationFailures = Atomic<Int>(0)
    package let srtpReplays = Atomic<Int>(0)
    package let srtpOtherDrops = Atomic<Int>(0)
    /// Sequence numbers NACKed to us by peers (subscribers, echo), and NACKed by us (upstream).
    package let nacksReceived = Atomic<Int>(0)
    package let nacksSent = Atomic<Int>(0)
    /// Packets sent again in answer to a NACK (plain resends and RTX).
    package let retransmissionsSent = Atomic<Int>(0)
    /// PLI/FIR from peers; PLIs we sent.
    package let keyframeRequestsReceived = Atomic<Int>(0)
    package let keyframeRequestsSent = Atomic<Int>(0)
    /// Transports that died, by `TransportFailure`.
    package let iceFailures = Atomic<Int>(0)
    package let dtlsAlerts = Atomic<Int>(0)
    package let dtlsErrors = Atomic<Int>(0)
    package let dtlsTimeouts = Atomic<Int>(0)
    package let srtpSetupFailures = Atomic<Int>(0)
    /// Nanoseconds the worker's loop spent working rather than waiting for datagrams.
    package let busyNanoseconds = Atomic<Int>(0)
    /// STUN error responses not sent because their source exceeded its rate.
    package let stunErrorsSuppressed = Atomic<Int>(0)
    /// Subscriber bandwidth: layer ceilings the allocator changed, video paused because not even
    /// the lowest layer fit, and probes sent.
    package let bandwidthLayerChanges = Atomic<Int>(0)
    package let bandwidthPauses = Atomic<Int>(0)
    package let bandwidthProbes = Atomic<Int>(0)
}

extension WorkerStatistics {
    /// Counts a transport's death by its reason.
    func noteFailure(_ failure: TransportFailure) {
        switch failure {
        case .iceFailed: iceFailures.add(1, ordering: .relaxed)
        case .dtlsAlert: dtlsAlerts.add(1, ordering: .relaxed)
        case .dtlsError: dtlsErrors.add(1, ordering: .relaxed)
        case .dtlsTimeout: dtlsTimeouts.add(1, ordering: .relaxed)
        case .srtpStackError: srtpSetupFailures.add(1, ordering: .relaxed)
        }
    }

    /// Counts an SRTP/SRTCP packet that did not unprotect.
    func noteSRTPDrop(_ error: SRTPError) {
        switch error {
        case .authenticationFailed: srtpAuthenticationFailures.add(1, ordering: .relaxed)
        case .replayed: srtpReplays.add(1, ordering: .relaxed)
        default: srtpOtherDrops.add(1, ordering: .relaxed)
        }
    }
}
