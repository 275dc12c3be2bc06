import RTP
import SFUBase

/// What a subscriber m-line does with one packet of its source.
enum ForwardPlan {
    /// Not sent (waiting for a keyframe, or a late packet from before the current numbering).
    case drop
    /// Not sent, and the source should be asked for a keyframe on layer `layer` (a new source
    /// mid-picture, or a simulcast layer to switch to).
    case dropAndRequestKeyframe(layer: Int)
    /// Sent with these numbers and this header.
    case send(sequence: UInt16, timestamp: UInt32, header: OutgoingHeader)
}

extension Consumer {
    /// The subscriber side's decision on one source packet, with all of its bookkeeping (source
    /// changes, keyframe gate, sequence and timestamp rewrite, sender-report counters) in one
    /// mutation: the forwarding path touches this m-line's state once per packet.
    @inline(__always)
    mutating func planForward(
        _ packet: RTPPacket, layer: Int, liveLayers: UInt8, codec: CodecFamily, now: MonotonicInstant
    ) -> ForwardPlan {
        layerMeter.count(layer: layer, bytes: packet.length)
        guard sendEnabled, !pausedForBandwidth else { return .drop }
        if layerChoice != nil {
            // Only a packet of another layer can start a switch: the forwarded layer's are not inspected.
            let startsPicture = layer != layerChoice!.current && codec.startsDecodablePicture(packet)
            switch layerChoice!.packetArrived(layer: layer, liveLayers: liveLayers, startsPicture: startsPicture, now: now) {
            case .drop: return .drop
            case .dropAndRequestKeyframe: return .dropAndRequestKeyframe(layer: layer)
            case .forward(let switched):
                if switched {
                    pictureContinuity.sourceChanged()
                    unreportedLayer = layer
                }
            }
        }
        if codec == .vp8, layerChoice != nil || temporalCeiling != nil, !forwardTemporalLayer(of: packet) {
            return .drop
        }
        var askKeyframe = false
        if forwardedSSRC != packet.ssrc {
            forwardedSSRC = packet.ssrc
            sequence.pause()
            timestamps.sourceChanged()
            waitingForKeyframe = codec.needsKeyframeToStart
            // The keyframe asked for at bind time may have gone by before this PeerConnection was
            // up (the VideoRoom binds at offer time); ask again now that we can use one (unless
            // this packet is one: a simulcast source switches layers on keyframes).
            askKeyframe = codec.needsKeyframeToStart && !codec.startsDecodablePicture(packet)
        }
        if waitingForKeyframe {
            guard codec.startsDecodablePicture(packet) else { return askKeyframe ? .dropAndRequestKeyframe(layer: layer) : .drop }
            waitingForKeyframe = false
        }
        // A late packet from before this subscriber's current numbering began is not sent: its
        // number could repeat one already used.
        guard let outgoing = sequence.rewriteIfCurrent(packet.sequenceNumber) else { return .drop }
        let gap = timestamps.isResyncPending ? ticksSinceLastForward(now: now) : 0
        let timestamp = timestamps.rewrite(packet.timestamp, gap: gap)
        lastForwardedAt = now
        reports.noteSent(timestamp: timestamp, payloadBytes: packet.payload.count, now: now)
        return .send(sequence: outgoing, timestamp: timestamp, header: header)
    }

    /// VP8 temporal scalability (RFC 7741 TID): false for a packet above the temporal ceiling,
    /// which is then left out of the numbering (the subscriber sees no gap to NACK). Tracks the
    /// highest temporal layer forwarded, for Janus's `temporal` event.
    @inline(__always)
    private mutating func forwardTemporalLayer(of packet: RTPPacket) -> Bool {
        guard let tid = VP8PayloadDescriptor(payload: UnsafeRawBufferPointer(packet.payload))?.temporalLayer
        else { return true }
        let layer = Int(tid)
        if let ceiling = temporalCeiling, layer > ceiling {
            sequence.pause()
            return false
        }
        if layer > (currentTemporal ?? -1) {
            currentTemporal = layer
            unreportedTemporal = layer
        }
        return true
    }

    /// A new temporal ceiling: below what is forwarded now, the switch is immediate (higher
    /// layers' packets are dropped from the next one on); above it, it happens when a packet of
    /// a higher layer arrives.
    mutating func setTemporalCeiling(_ ceiling: Int?) {
        temporalCeiling = ceiling
        if let ceiling, let current = currentTemporal, current > ceiling {
            currentTemporal = ceiling
            unreportedTemporal = ceiling
        }
    }
}
