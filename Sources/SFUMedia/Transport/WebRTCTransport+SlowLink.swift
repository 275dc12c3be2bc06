import RTP

/// Slow-link reports (Janus `slowlink`): once a second, per m-line and direction, the losses of
/// the second just past when they reach the transport's threshold.
extension WebRTCTransport {
    func checkSlowLinks() {
        for index in streams.indices {
            let stream = streams[index]
            if stream.setup.receives, stream.reports.reception.packetsReceived > 0 {
                streams[index].receiveLoss.noteCumulativeLost(stream.reports.reception.cumulativeLost)
            }
            if let lost = streams[index].receiveLoss.check() {
                emit(.slowLink(mid: stream.setup.mid, kind: stream.setup.kind, uplink: false, lost: lost))
            }
            if let lost = streams[index].sendLoss.check() {
                emit(.slowLink(mid: stream.setup.mid, kind: stream.setup.kind, uplink: true, lost: lost))
            }
        }
    }

    /// The peer NACKed packets of what we send on m-line `index`.
    func noteNACKed(_ nack: RTCPPacket, streamIndex index: Int) {
        var count = 0
        try? RTCPGenericNACK.forEachLostSequenceNumber(in: nack) { _ in count += 1 }
        streams[index].sendLoss.noteLost(count)
        countedIn?.nacksReceived.add(count, ordering: .relaxed)
    }
}
