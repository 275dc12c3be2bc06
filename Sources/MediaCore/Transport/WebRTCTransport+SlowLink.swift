import RTP

/// Slow-link reports (Janus `slowlink`): once a second, per m-line and direction, the losses of
/// the second just past when they reach the transport's threshold.
extension WebRTCTransport {
    func checkSlowLinks() {
        for index in producers.indices {
            let producer = producers[index]
            if producer.setup.receives, producer.reports.reception.packetsReceived > 0 {
                producers[index].receiveLoss.noteCumulativeLost(producer.reports.reception.cumulativeLost)
            }
            if let lost = producers[index].receiveLoss.check() {
                emit(.slowLink(mid: producer.setup.mid, kind: producer.setup.kind, uplink: false, lost: lost))
            }
            if let lost = consumers[index].sendLoss.check() {
                emit(.slowLink(mid: producer.setup.mid, kind: producer.setup.kind, uplink: true, lost: lost))
            }
        }
    }

    /// The peer NACKed packets of what we send on m-line `index`.
    func noteNACKed(_ nack: RTCPPacket, streamIndex index: Int) {
        var count = 0
        try? RTCPGenericNACK.forEachLostSequenceNumber(in: nack) { _ in count += 1 }
        consumers[index].sendLoss.noteLost(count)
        countedIn?.nacksReceived.add(count, ordering: .relaxed)
    }
}
