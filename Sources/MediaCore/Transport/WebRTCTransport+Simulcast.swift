import RTP
import SFUBase

/// Simulcast publishers: of the layers a peer sends on one m-line, one is forwarded (see
/// `SimulcastLayerSelector`). Packets of the other layers stop here, before loss bookkeeping
/// and fan-out, so subscribers, NACKs and the retransmission buffer see one stream.
extension WebRTCTransport {
    /// Whether `packet`, of simulcast layer `layer` on m-line `index`, is forwarded. Asks the
    /// publisher for a keyframe on a layer worth switching to, and renumbers VP8 pictures
    /// across a switch.
    @inline(__always)
    func forwardsLayer(
        of packet: RTPPacket, streamIndex index: Int, layer: Int, now: MonotonicInstant, output: PacketOutput
    ) -> Bool {
        guard producers[index].simulcast != nil else { return true }
        let current = producers[index].simulcast?.current
        let codec = producers[index].codec
        // Only a packet of another layer can start a switch: the forwarded layer's are not inspected.
        let startsPicture = layer != current && codec.startsDecodablePicture(packet)
        let verdict = producers[index].simulcast!.packetArrived(
            layer: layer, ssrc: packet.ssrc, startsPicture: startsPicture, now: now)
        switch verdict {
        case .forward(let switched):
            if switched {
                // Another sequence space upstream: gaps of the old layer are not worth a NACK.
                producers[index].nacks = NACKGenerator()
                producers[index].forwardedNumbering.pause()
                producers[index].pictureContinuity.sourceChanged()
                logger.debug("simulcast m-line \(producers[index].setup.mid) now forwards layer \(layer) (SSRC \(packet.ssrc))")
            }
            if case .vp8 = codec { producers[index].pictureContinuity.rewrite(packet.payload) }
            return true
        case .drop:
            return false
        case .dropAndRequestKeyframe(let ssrc):
            sendPictureLossIndication(streamIndex: index, mediaSSRC: ssrc, output: output)
            return false
        }
    }
}
