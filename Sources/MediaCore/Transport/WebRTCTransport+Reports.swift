import RTP
import SFUBase

/// RTCP reports, once a second: a sender report per m-line we send on (so receivers can sync
/// audio and video and measure round trips) and receiver report blocks for what we receive
/// (so senders see loss and jitter).
extension WebRTCTransport {
    func sendReports(now: MonotonicInstant, output: PacketOutput) {
        guard connected, let outbound, let destination = selectedAddress, let reporter = consumers.first?.setup.localSSRC
        else { return }
        var senderReports: [RTCPSenderReport] = []
        var blocks: [RTCPReportBlock] = []
        let ntp = NTPTime.timestamp(unixNanoseconds: output.unixNanoseconds(at: now))
        for index in producers.indices {
            let consumer = consumers[index]
            if consumer.setup.sends, consumer.reports.packetsSent > 0 {
                senderReports.append(
                    RTCPSenderReport(
                        ssrc: consumer.setup.localSSRC, ntpTimestamp: ntp,
                        rtpTimestamp: consumer.reports.currentTimestamp(now: now, clockRate: consumer.setup.clockRate),
                        packetCount: consumer.reports.packetsSent, octetCount: consumer.reports.octetsSent))
            }
            let producer = producers[index]
            if producer.setup.receives, let remote = producer.remoteSSRC, producer.reports.reception.packetsReceived > 0 {
                let delay = producer.reports.lastSenderReportArrival.map {
                    NTPTime.delaySinceLastSenderReport(received: $0, now: now)
                } ?? 0
                blocks.append(
                    producers[index].reports.reception.makeReportBlock(
                        ssrc: remote, lastSenderReport: producer.reports.lastSenderReportMiddle,
                        delaySinceLastSenderReport: delay))
            }
        }
        guard !senderReports.isEmpty || !blocks.isEmpty else { return }
        output.send(socketIndex: selectedSocket, to: destination) { slot in
            var writer = RTCPCompoundWriter(
                buffer: UnsafeMutableRawBufferPointer(rebasing: slot[0..<(slot.count - outbound.profile.rtcpOverhead)]))
            do {
                for report in senderReports { try writer.append(report) }
                // At most 31 blocks per report (5-bit count).
                var rest = blocks[...]
                repeat {
                    let chunk = Array(rest.prefix(31))
                    rest = rest.dropFirst(31)
                    try writer.append(RTCPReceiverReport(ssrc: reporter, reportBlocks: chunk))
                } while !rest.isEmpty
            } catch {
                return 0
            }
            return (try? outbound.protectRTCP(slot, length: writer.length)) ?? 0
        }
    }

    /// Remembers a sender report from the peer, for the LSR/DLSR of our next receiver report.
    func noteSenderReports(_ buffer: UnsafeMutableRawBufferPointer, length: Int, now: MonotonicInstant) {
        guard let compound = try? RTCPCompoundPacket(buffer: buffer, length: length) else { return }
        for packet in compound where packet.packetType == RTCPPacketType.senderReport {
            guard let report = try? RTCPSenderReport(packet),
                let index = producers.firstIndex(where: { $0.remoteSSRC == report.ssrc })
            else { continue }
            producers[index].reports.lastSenderReportMiddle = NTPTime.middle32(report.ntpTimestamp)
            producers[index].reports.lastSenderReportArrival = now
        }
    }

}
