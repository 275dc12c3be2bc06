/// Talking detection from RFC 6464 audio levels, the way Janus's VideoRoom does it: average the
/// level (0 = loudest … 127 = silence, in -dBov) over a window of packets and compare the average
/// with a threshold.
struct AudioLevelMeter {
    private var sum = 0
    private var count = 0
    private(set) var talking = false

    /// Adds one packet's level; returns the new state and average when a window completes and
    /// the state changed.
    mutating func add(level: UInt8, windowPackets: Int, threshold: Int) -> (talking: Bool, average: Double)? {
        sum += Int(level)
        count += 1
        guard count >= max(1, windowPackets) else { return nil }
        let average = Double(sum) / Double(count)
        sum = 0
        count = 0
        let now = average <= Double(threshold)
        guard now != talking else { return nil }
        talking = now
        return (now, average)
    }
}
