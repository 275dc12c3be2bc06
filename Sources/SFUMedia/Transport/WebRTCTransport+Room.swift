import ICE
import RTP
import SFUBase

/// Room forwarding: a publisher's m-lines feed subscriber m-lines on the same worker. A packet is
/// decrypted once by the publisher's transport; each subscriber gets its own copy with its
/// SSRC, payload type, sequence number, timestamp and header extension ids, encrypted with its
/// own keys.
extension WebRTCTransport {
    func streamIndex(mid: String) -> Int? {
        producers.firstIndex { $0.setup.mid == mid }
    }

    // MARK: Publisher side

    func publish(_ packet: RTPPacket, streamIndex index: Int, settings: PublisherSettings, now: MonotonicInstant,
                 router: Router) {
        trackUpstreamLoss(packet, streamIndex: index, now: now)
        if settings.audioLevelEvents, producers[index].setup.kind == .audio, let id = producers[index].audioLevelExtensionID,
            let level = packet.audioLevel(id: id)
        {
            if let change = producers[index].audioLevel.add(
                level: level.level, windowPackets: settings.audioActivePackets, threshold: settings.audioLevelAverage)
            {
                emit(.talking(mid: producers[index].setup.mid, talking: change.talking, level: change.average))
            }
        }
        if !settings.mutedMids.isEmpty, settings.mutedMids.contains(producers[index].setup.mid) {
            // Withheld on purpose: what follows is numbered on from the last packet forwarded, so
            // no subscriber sees a hole to NACK, and nothing withheld is kept for retransmission.
            producers[index].forwardedNumbering.pause()
            return
        }
        guard let number = producers[index].forwardedNumbering.rewriteIfCurrent(packet.sequenceNumber) else { return }
        packet.sequenceNumber = number
        storeForRetransmission(packet, streamIndex: index)
        router.publish(packet, from: StreamHandle(transport: handle, stream: index), publisherID: id)
    }

    /// Loss bookkeeping of a received packet: gaps for upstream NACKs, and (video) a copy for
    /// answering downstream NACKs.
    func recordReceived(_ packet: RTPPacket, streamIndex index: Int, now: MonotonicInstant) {
        trackUpstreamLoss(packet, streamIndex: index, now: now)
        storeForRetransmission(packet, streamIndex: index)
    }

    /// Gaps in the peer's own numbering, for upstream NACKs (video).
    @inline(__always)
    func trackUpstreamLoss(_ packet: RTPPacket, streamIndex index: Int, now: MonotonicInstant) {
        guard producers[index].setup.kind == .video else { return }
        producers[index].nacks.received(packet.sequenceNumber, now: now)
    }

    /// A copy of a packet that goes out, under the number it goes out with, for answering
    /// subscribers' NACKs (video). Only forwarded packets are kept: a NACK can never bring back
    /// something that was withheld.
    @inline(__always)
    func storeForRetransmission(_ packet: RTPPacket, streamIndex index: Int) {
        guard producers[index].setup.kind == .video else { return }
        if producers[index].retransmissions == nil { producers[index].retransmissions = RetransmissionBuffer() }
        producers[index].retransmissions?.store(
            UnsafeRawBufferPointer(rebasing: packet.buffer[0..<packet.length]), sequenceNumber: packet.sequenceNumber)
    }

    /// Upstream NACKs for the gaps in what the peer sends us (video).
    func requestMissingPackets(now: MonotonicInstant, output: PacketOutput) {
        for index in producers.indices where producers[index].setup.kind == .video && producers[index].nacks.hasPending {
            guard let mediaSSRC = producers[index].forwardedSourceSSRC else { continue }
            var lost: [UInt16] = []
            producers[index].nacks.due(now: now) { lost.append($0) }
            guard !lost.isEmpty else { continue }
            countedIn?.nacksSent.add(lost.count, ordering: .relaxed)
            let sender = consumers[index].setup.localSSRC
            sendRTCP(output: output) { out in
                (try? RTCPGenericNACK(senderSSRC: sender, mediaSSRC: mediaSSRC, lostSequenceNumbers: lost)
                    .write(into: out)) ?? 0
            }
        }
    }

    func publisherPeriodic(settings: PublisherSettings, now: MonotonicInstant, output: PacketOutput) {
        if settings.bitrate > 0 { sendEstimate(bitrate: UInt64(settings.bitrate), output: output) }
        if settings.keyframeInterval > 0 {
            for index in producers.indices where producers[index].setup.kind == .video {
                guard let last = producers[index].lastPacketAt, now.nanoseconds(since: last) < 2_000_000_000 else { continue }
                if producers[index].periodicKeyframeDue(now: now, intervalSeconds: settings.keyframeInterval) {
                    requestKeyframe(streamIndex: index, now: now, output: output)
                }
            }
        }
    }

    // MARK: Subscriber side

    /// Sends one producer packet on consumer m-line `index`; true when the consumer needs a
    /// keyframe from its source first (the router asks for one).
    @inline(__always)
    func forward(_ packet: RTPPacket, streamIndex index: Int, map: RTPHeaderExtensionIDMap, codec: CodecFamily,
                 now: MonotonicInstant, output: PacketOutput) -> Bool {
        guard connected, let outbound, let destination = selectedAddress else { return false }
        switch consumers[index].planForward(packet, codec: codec, now: now) {
        case .drop:
            return false
        case .dropAndRequestKeyframe:
            return true
        case .send(let sequence, let timestamp, let header):
            send(packet, as: index, header: header, sequence: sequence, timestamp: timestamp, map: map,
                 outbound: outbound, destination: destination, output: output, rewriteMid: true)
            return false
        }
    }

    /// Sends `packet` on m-line `index` with our SSRC, payload type, `sequence` and `timestamp`.
    /// With `rtx`, the packet rewritten so is then wrapped as an RFC 4588 retransmission (OSN =
    /// `sequence`) on the RTX SSRC, payload type and sequence number given.
    func send(
        _ packet: RTPPacket, as index: Int, header: OutgoingHeader? = nil, sequence: UInt16, timestamp: UInt32,
        map: RTPHeaderExtensionIDMap, outbound: SRTPContext, destination: TransportAddress, output: PacketOutput,
        rewriteMid: Bool = false, rtx: (payloadType: UInt8, ssrc: UInt32, sequence: UInt16)? = nil
    ) {
        let header = header ?? consumers[index].header
        let ssrc = header.ssrc
        // Forwarded packets carry the publisher's mid; a receiver drops packets whose mid is not
        // one of its m-lines (RFC 8843 §9.2), so ours goes in (the map already dropped the element
        // when ours has another length and cannot replace it in place).
        let midID = rewriteMid ? header.midExtensionID : 0
        let payloadType = header.payloadType
        let source = UnsafeRawBufferPointer(rebasing: packet.buffer[0..<packet.length])
        output.send(socketIndex: selectedSocket, to: destination) { slot in
            guard source.count + outbound.profile.rtpOverhead <= slot.count else { return 0 }
            slot.copyMemory(from: source)
            guard let copy = try? RTPPacket(buffer: slot, length: source.count) else { return 0 }
            copy.ssrc = ssrc
            copy.payloadType = payloadType
            copy.sequenceNumber = sequence
            copy.timestamp = timestamp
            if let extensions = copy.headerExtensions {
                try? extensions.remapIDs(map)
                if midID != 0 { consumers[index].midValue.withUnsafeBytes { try? extensions.rewrite(id: midID, with: $0) } }
            }
            var length = source.count
            if let rtx {
                length = Self.wrapRetransmissionInPlace(copy, in: slot, rtx: rtx, overhead: outbound.profile.rtpOverhead)
                guard length > 0 else { return 0 }
            }
            return (try? outbound.protectRTP(slot, length: length)) ?? 0
        }
    }

    /// RFC 4588 §4 in place: the payload moves 2 bytes on to make room for the OSN (the
    /// packet's current sequence number), padding is dropped, and the header takes the RTX
    /// payload type, SSRC and sequence number. Returns the new length, 0 if it does not fit.
    private static func wrapRetransmissionInPlace(
        _ packet: RTPPacket, in slot: UnsafeMutableRawBufferPointer,
        rtx: (payloadType: UInt8, ssrc: UInt32, sequence: UInt16), overhead: Int
    ) -> Int {
        let header = packet.headerLength
        let payload = packet.payloadRange
        let length = header + 2 + payload.count
        guard length + overhead <= slot.count, let base = slot.baseAddress else { return 0 }
        let osn = packet.sequenceNumber
        // Overlapping move: copyMemory has memmove semantics.
        (base + header + 2).copyMemory(from: base + payload.lowerBound, byteCount: payload.count)
        slot[header] = UInt8(truncatingIfNeeded: osn >> 8)
        slot[header + 1] = UInt8(truncatingIfNeeded: osn)
        slot[0] &= ~0x20
        packet.payloadType = rtx.payloadType
        packet.sequenceNumber = rtx.sequence
        packet.ssrc = rtx.ssrc
        return length
    }

    /// Stops feeding m-line `index`; the next source (or the same one resumed) starts with a
    /// resync and, for video, a keyframe.
    func unbindSource(streamIndex index: Int) {
        consumers[index].forwardedSSRC = nil
        consumers[index].sequence.pause()
    }

    /// Consumer feedback from our peer: NACK and keyframe counters and slow-link losses here;
    /// the router takes each request to the producer feeding the m-line.
    func handleSubscriberFeedback(_ buffer: UnsafeMutableRawBufferPointer, length: Int, now: MonotonicInstant,
                                  router: Router) {
        guard let compound = try? RTCPCompoundPacket(buffer: buffer, length: length) else { return }
        for packet in compound {
            guard let ssrc = packet.mediaSSRC, let index = consumers.firstIndex(where: { $0.setup.localSSRC == ssrc })
            else { continue }
            let consumer = StreamHandle(transport: handle, stream: index)
            if packet.isGenericNACK {
                noteNACKed(packet, streamIndex: index)
                router.answerNACK(packet, consumer: consumer, now: now)
            } else if packet.isPictureLossIndication || packet.isFullIntraRequest {
                countedIn?.keyframeRequestsReceived.add(1, ordering: .relaxed)
                router.requestKeyframe(forConsumer: consumer, now: now)
            }
        }
    }

    /// Answers a NACK on m-line `index` from its producer's retransmission buffer.
    func retransmit(_ nack: RTCPPacket, streamIndex index: Int, from buffer: RetransmissionBuffer,
                    map: RTPHeaderExtensionIDMap, output: PacketOutput) {
        let offset = consumers[index].sequence.currentOffset
        try? RTCPGenericNACK.forEachLostSequenceNumber(in: nack) { outgoing in
            // A number sent before the last switch or pause maps to another packet now.
            guard consumers[index].sequence.isCurrentMapping(outgoing),
                let stored = buffer.packet(sequenceNumber: outgoing &- offset),
                let original = try? RTPPacket(buffer: stored, length: stored.count)
            else { return }
            resend(original, streamIndex: index, outgoing: outgoing, map: map, output: output)
        }
    }

    /// The producer's numbers of the packets a NACK on m-line `index` names, for a producer on
    /// another worker to look up (numbers from before the current mapping are left out).
    func originalSequenceNumbers(nackedIn nack: RTCPPacket, streamIndex index: Int) -> [(outgoing: UInt16, original: UInt16)] {
        guard consumers[index].forwardedSSRC != nil else { return [] }
        let offset = consumers[index].sequence.currentOffset
        var wanted: [(outgoing: UInt16, original: UInt16)] = []
        try? RTCPGenericNACK.forEachLostSequenceNumber(in: nack) { outgoing in
            guard consumers[index].sequence.isCurrentMapping(outgoing) else { return }
            wanted.append((outgoing, outgoing &- offset))
        }
        return wanted
    }

    /// Sends a stored producer packet again as sequence number `outgoing` of m-line `index`
    /// (a NACK answer), unless it belongs to an earlier source.
    func resend(_ original: RTPPacket, streamIndex index: Int, outgoing: UInt16, map: RTPHeaderExtensionIDMap,
                output: PacketOutput) {
        guard let outbound, let destination = selectedAddress, original.ssrc == consumers[index].forwardedSSRC
        else { return }
        countedIn?.retransmissionsSent.add(1, ordering: .relaxed)
        let timestamp = consumers[index].timestamps.map(original.timestamp)
        // With RTX negotiated, a receiver expects repairs on the RTX stream (Chrome and
        // aiortc also accept a plain resend, but RTX keeps the media stream's statistics
        // and sequence space clean, and is what Janus sends).
        var rtx: (payloadType: UInt8, ssrc: UInt32, sequence: UInt16)?
        if let payloadType = consumers[index].setup.rtxPayloadType, let ssrc = consumers[index].setup.localRTXSSRC {
            rtx = (payloadType, ssrc, consumers[index].rtxSequence)
            consumers[index].rtxSequence &+= 1
        }
        send(original, as: index, sequence: outgoing, timestamp: timestamp, map: map, outbound: outbound,
             destination: destination, output: output, rewriteMid: true, rtx: rtx)
    }
}
