import ICE
import RTP
import SFUBase

/// The consumer side of a transport: what we send its peer. Each producer packet the router
/// delivers is decrypted once by its producer's transport; each consumer sends its own copy with
/// its SSRC, payload type, sequence number, timestamp and header extension ids, encrypted with
/// its own keys; the peer's feedback about it goes back through the router.
extension WebRTCTransport {
    /// Sends one producer packet (of simulcast layer `layer`; `liveLayers`: the layers its
    /// producer sends) on consumer m-line `index`. Returns the layer the consumer needs a keyframe
    /// of before it can go on (the router asks the producer), nil otherwise.
    @inline(__always)
    func forward(_ packet: RTPPacket, layer: Int, liveLayers: UInt8, streamIndex index: Int, map: RTPHeaderExtensionIDMap,
                 codec: CodecFamily, now: MonotonicInstant, output: PacketOutput) -> Int? {
        guard connected, let outbound, let destination = selectedAddress else { return nil }
        clock = now
        switch consumers[index].planForward(packet, layer: layer, liveLayers: liveLayers, codec: codec, now: now) {
        case .drop:
            return nil
        case .dropAndRequestKeyframe(let layer):
            return layer
        case .send(let sequence, let timestamp, let header):
            send(packet, as: index, header: header, sequence: sequence, timestamp: timestamp, map: map,
                 outbound: outbound, destination: destination, output: output, rewriteMid: true,
                 picture: consumers[index].layerChoice != nil && codec == .vp8 ? .forwarded : .untouched)
            if let layer = consumers[index].unreportedLayer {
                consumers[index].unreportedLayer = nil
                emit(.layerChanged(mid: consumers[index].setup.mid, substream: layer))
            }
            if let temporal = consumers[index].unreportedTemporal {
                consumers[index].unreportedTemporal = nil
                emit(.temporalLayerChanged(mid: consumers[index].setup.mid, temporal: temporal))
            }
            return nil
        }
    }

    /// What `send` does to a VP8 payload descriptor's picture ids (kept continuous across a
    /// consumer's simulcast layer switches).
    enum PictureRewrite {
        case untouched
        /// A packet going out for the first time: rewritten, and the continuity follows it.
        case forwarded
        /// A retransmission: rewritten with the current offsets, the continuity left as it is.
        case resent
    }

    /// Sends `packet` on m-line `index` with our SSRC, payload type, `sequence` and `timestamp`.
    /// With `rtx`, the packet rewritten so is then wrapped as an RFC 4588 retransmission (OSN =
    /// `sequence`) on the RTX SSRC, payload type and sequence number given.
    func send(
        _ packet: RTPPacket, as index: Int, header: OutgoingHeader? = nil, sequence: UInt16, timestamp: UInt32,
        map: RTPHeaderExtensionIDMap, outbound: SRTPContext, destination: TransportAddress, output: PacketOutput,
        rewriteMid: Bool = false, rtx: (payloadType: UInt8, ssrc: UInt32, sequence: UInt16)? = nil,
        picture: PictureRewrite = .untouched
    ) {
        let header = header ?? consumers[index].header
        let ssrc = header.ssrc
        // Forwarded packets carry the publisher's mid; a receiver drops packets whose mid is not
        // one of its m-lines (RFC 8843 §9.2), so ours goes in (the map already dropped the element
        // when ours has another length and cannot replace it in place).
        let midID = rewriteMid ? header.midExtensionID : 0
        let payloadType = header.payloadType
        let source = UnsafeRawBufferPointer(rebasing: packet.buffer[0..<packet.length])
        let transportWideID = bandwidth.extensionID
        let transportWideSequence = bandwidth.history.nextWireSequence
        var stampedLength = 0
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
            switch picture {
            case .untouched: break
            case .forwarded: consumers[index].pictureContinuity.rewrite(copy.payload)
            case .resent: consumers[index].pictureContinuity.apply(to: copy.payload)
            }
            var length = source.count
            var packet = copy
            if transportWideID != 0 {
                // Numbered for our congestion control; left unnumbered (and unrecorded) when it
                // cannot be, which the estimator never hears of.
                if let stamped = RTPPacket.stampTransportSequence(
                    transportWideSequence, id: transportWideID, in: slot, length: length,
                    capacity: slot.count - outbound.profile.rtpOverhead)
                {
                    if stamped != length, let moved = try? RTPPacket(buffer: slot, length: stamped) { packet = moved }
                    length = stamped
                    stampedLength = stamped
                }
            }
            if let rtx {
                length = Self.wrapRetransmissionInPlace(packet, in: slot, rtx: rtx, overhead: outbound.profile.rtpOverhead)
                guard length > 0 else { return 0 }
            }
            guard let protected = try? outbound.protectRTP(slot, length: length) else {
                stampedLength = 0
                return 0
            }
            return protected
        }
        // Media sent while a probe runs is part of it: the probe measures what the path carries
        // in all, not the padding alone.
        if stampedLength > 0 { bandwidth.history.recordSent(size: stampedLength, at: clock, probeCluster: bandwidth.probe?.cluster.id) }
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
        consumers[index].layerChoice = nil
    }

    /// Feedback from our peer about what we send it: NACK and keyframe counters and slow-link
    /// losses here; the router takes each request to the producer feeding the m-line.
    func handleConsumerFeedback(_ buffer: UnsafeMutableRawBufferPointer, length: Int, now: MonotonicInstant,
                                output: PacketOutput, router: Router) {
        guard let compound = try? RTCPCompoundPacket(buffer: buffer, length: length) else { return }
        for packet in compound {
            if packet.packetType == RTCPPacketType.payloadSpecificFeedback,
                packet.feedbackFormat == RTCPFeedbackFormat.applicationLayer
            {
                // A REMB names no m-line of ours (its SSRCs are in the payload). A peer receiving
                // its own media (EchoTest) tells its sender; anyone else tells our estimator.
                if consumers.indices.contains(where: { router.consumesOwnProducer(StreamHandle(transport: handle, stream: $0)) }) {
                    relayOwnEstimate(packet, output: output)
                } else {
                    handleReceiverEstimate(packet, now: now)
                }
                continue
            }
            if packet.isTransportWideFeedback {
                handleTransportWideFeedback(packet, now: now)
                continue
            }
            guard let ssrc = packet.mediaSSRC,
                let index = consumers.firstIndex(where: { $0.setup.sends && $0.setup.localSSRC == ssrc })
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
             destination: destination, output: output, rewriteMid: true, rtx: rtx,
             picture: consumers[index].layerChoice != nil && consumers[index].setup.codecName == "vp8" ? .resent : .untouched)
    }
}
