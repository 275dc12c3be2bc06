/// Janus's slow-link rule for one m-line and one direction (`slowlink_threshold`): when at least
/// `threshold` packets were lost in the last second, the control plane is told how many
/// (Janus `slowlink`, the VideoRoom's `slow_link`). Losses on media we receive are those our
/// receive statistics count; losses on media we send are the sequence numbers the peer NACKs.
/// Sans-IO: fed loss counts, checked once a second.
struct SlowLinkMonitor {
    /// Lost packets a second that make a link slow; 0 turns the monitor off.
    let threshold: Int
    private var lostSinceCheck = 0
    /// The receive statistics' cumulative loss at the last check (media we receive).
    private var lastCumulativeLost: Int32?

    init(threshold: Int) { self.threshold = max(0, threshold) }

    /// Adds `count` lost packets (NACKed sequence numbers of media we send).
    mutating func noteLost(_ count: Int) { lostSinceCheck += count }

    /// Media we receive: takes the receive statistics' cumulative loss (RFC 3550 A.3: expected
    /// minus received, which goes down again when retransmissions fill the gaps).
    mutating func noteCumulativeLost(_ cumulative: Int32) {
        if let last = lastCumulativeLost, cumulative > last { lostSinceCheck += Int(cumulative - last) }
        lastCumulativeLost = cumulative
    }

    /// Once a second: the losses of the second just past when they reach the threshold, else nil.
    mutating func check() -> Int? {
        defer { lostSinceCheck = 0 }
        guard threshold > 0, lostSinceCheck >= threshold else { return nil }
        return lostSinceCheck
    }
}
