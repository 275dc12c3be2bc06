import SFUBase

/// The retransmission timer of the flight we sent last (RFC 6347 §4.2.4), run on the injected
/// clock, holding retransmissions that OpenSSL has already produced.
///
/// Why copies are made in advance — what OpenSSL 3.0 actually does (ssl/d1_lib.c,
/// ssl/record/rec_layer_d1.c):
/// - The DTLS timer is `gettimeofday` + duration. `DTLSv1_handle_timeout` does nothing unless
///   that *wall clock* deadline has passed (with a 15 ms slack), so it cannot be driven by a
///   virtual clock: a test that advances `MonotonicInstant` by 1 s gets no retransmission.
/// - `DTLS_set_timer_cb` only chooses the duration: it is called with 0 when a flight starts
///   (the timer was stopped) and with the previous value on every timeout.
/// - Every read (`dtls1_read_bytes`: "Check for timeout", and `dtls1_read_failed`) calls
///   `dtls1_handle_timeout` itself; when the timer has expired it retransmits the flight with
///   fresh record sequence numbers and loops, up to 12 times (then `SSLfatal`).
/// - A received complete flight stops the timer (`dtls1_stop_timer`); the server's last flight
///   of a full handshake runs no timer and is resent only when the client's Finished repeats.
///
/// So `DTLSEndpoint` lets the timer callback answer 1 µs when a flight starts: the read that
/// follows in the same `SSL_do_handshake` finds the timer expired and retransmits — these
/// retransmissions are captured here instead of being sent, one per callback, N times, and
/// the N-th callback answers one hour so OpenSSL stays quiet afterwards. Sending copy *k* when
/// the injected clock reaches the *k*-th RFC 6347 back-off deadline puts on the wire exactly
/// what a real-time OpenSSL timer would have sent then (each copy has its own sequence
/// numbers, so the peer's replay window accepts it), yet tests run on virtual time and
/// production on `MonotonicInstant.now()`. `DTLSv1_handle_timeout` is never called.
struct DTLSFlightRetransmitter {
    let policy: DTLSTimerPolicy
    /// Encoded records of each prepared retransmission, oldest first.
    private var copies: [[UInt8]] = []
    private var nextCopy = 0
    private var deadline: MonotonicInstant?
    private var intervalMilliseconds: UInt64

    init(policy: DTLSTimerPolicy) {
        self.policy = policy
        self.intervalMilliseconds = policy.initialRetransmitMilliseconds
    }

    /// A new flight went out at `now`: forget the old flight's copies, restart the back-off.
    mutating func flightStarted(at now: MonotonicInstant) {
        copies.removeAll(keepingCapacity: true)
        nextCopy = 0
        intervalMilliseconds = policy.initialRetransmitMilliseconds
        deadline = now.adding(milliseconds: intervalMilliseconds)
    }

    /// Opens a new copy; returns its index for `append`.
    mutating func beginCopy() -> Int {
        copies.append([])
        return copies.count - 1
    }

    mutating func append(_ bytes: [UInt8], toCopy index: Int) {
        guard copies.indices.contains(index) else { return }
        copies[index].append(contentsOf: bytes)
    }

    /// When the next copy is due; `nil` when none is left or no flight is outstanding.
    var nextRetransmission: MonotonicInstant? {
        nextCopy < copies.count ? deadline : nil
    }

    /// The next copy if its time has come; restarts the timer with the doubled interval.
    mutating func popDue(now: MonotonicInstant) -> [UInt8]? {
        guard let due = deadline, now >= due, nextCopy < copies.count else { return nil }
        let copy = copies[nextCopy]
        copies[nextCopy] = []
        nextCopy += 1
        intervalMilliseconds = min(intervalMilliseconds * 2, policy.maximumRetransmitMilliseconds)
        deadline = now.adding(milliseconds: intervalMilliseconds)
        return copy
    }

    /// The flight was answered (or the association ended): nothing more to resend.
    mutating func cancel() {
        copies.removeAll()
        nextCopy = 0
        deadline = nil
    }
}
