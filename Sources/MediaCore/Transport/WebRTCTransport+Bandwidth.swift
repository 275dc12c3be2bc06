import RTP
import SFUBase

/// Congestion control on what we send a peer: every packet numbered transport-wide, the peer's
/// feedback (or REMB) made into an estimate, probes that look for more, and the estimate spent
/// over the consumers — a layer each, or a pause — every `allocationInterval`.
extension WebRTCTransport {
    /// Transport-wide numbering runs when an m-line we send on negotiated the extension
    /// (bundled m-lines share one sequence, so one id serves them all).
    func configureBandwidth() {
        let id = consumers.lazy.filter(\.setup.sends).flatMap(\.setup.extensions)
            .first { $0.uri == RTPExtensionURI.transportCC }.map { UInt8(clamping: $0.id) } ?? 0
        if id != bandwidth.extensionID, consumers.contains(where: \.setup.sends) {
            logger.debug("bandwidth: transport-wide sequence numbers on what we send: \(id == 0 ? "off" : "id \(id)")")
        }
        bandwidth.extensionID = id
    }

    /// The subscriber's own cap on what it receives (`max_bitrate`, bits/s; 0: none).
    package func setMaximumBitrate(_ bitsPerSecond: Int, now: MonotonicInstant) {
        bandwidth.setCap(bitsPerSecond)
        bandwidth.releaseHold()
        bandwidth.nextAllocationAt = now  // a new cap takes effect on the next tick
    }

    /// A transport-wide feedback from the peer about what we sent.
    func handleTransportWideFeedback(_ packet: RTCPPacket, now: MonotonicInstant) {
        guard bandwidth.extensionID != 0, let feedback = try? RTCPTransportWideFeedback(packet) else { return }
        let before = bandwidth.input
        bandwidth.handleFeedback(feedback, now: now)
        if before != bandwidth.input { logger.debug("bandwidth: estimating from the peer's transport-wide feedback") }
    }

    /// The peer's REMB about what we send it.
    func handleReceiverEstimate(_ packet: RTCPPacket, now: MonotonicInstant) {
        guard let remb = try? RTCPReceiverEstimatedMaxBitrate(packet) else { return }
        let before = bandwidth.input
        bandwidth.handleReceiverEstimate(bitsPerSecond: Int(clamping: remb.bitrate), now: now)
        if before != bandwidth.input { logger.debug("bandwidth: estimating from the peer's REMB") }
    }

    /// On the transport's timer: layer prices, the estimator's clock, probes, and the allocation.
    func updateBandwidth(now: MonotonicInstant, output: PacketOutput) {
        var pricesChanged = false
        for index in consumers.indices where consumers[index].setup.sends {
            if consumers[index].layerMeter.update(now: now) { pricesChanged = true }
        }
        if bandwidth.probe == nil, bandwidth.startProbeIfDue(now: now), let cluster = bandwidth.probe?.cluster {
            logger.debug("bandwidth: probe \(cluster.id) at \(cluster.bitsPerSecond) bit/s (estimate \(bandwidth.budget ?? 0))")
            countedIn?.bandwidthProbes.add(1, ordering: .relaxed)
        }
        if bandwidth.probe != nil { sendProbe(now: now, output: output) }
        guard let due = bandwidth.nextAllocationAt else {
            bandwidth.nextAllocationAt = now
            return
        }
        guard now >= due || pricesChanged else { return }
        bandwidth.nextAllocationAt = now.adding(milliseconds: SubscriberBandwidth.allocationIntervalNanoseconds / 1_000_000)
        allocate(now: now)
    }

    /// Spends the budget over the consumers that are sending something.
    private func allocate(now: MonotonicInstant) {
        var indices: [Int] = []
        var streams: [BandwidthAllocator.Stream] = []
        for index in consumers.indices where consumers[index].setup.sends && consumers[index].sendEnabled {
            let consumer = consumers[index]
            guard consumer.layerMeter.isMeasured else { continue }
            let rates = consumer.layerMeter.rates
            guard rates.contains(where: { $0 > 0 }) else { continue }
            // What it has: the layer forwarded, or the lower one it was told to switch down to.
            var current: Int? = consumer.pausedForBandwidth ? nil : (consumer.layerChoice?.current ?? 0)
            if let held = current, let budgetLayer = consumer.budgetLayer { current = min(held, budgetLayer) }
            indices.append(index)
            streams.append(BandwidthAllocator.Stream(
                isVideo: consumer.setup.kind == .video, layerRates: rates, ceiling: consumer.layerCeiling, current: current,
                priority: consumer.priority))
        }
        bandwidth.tick(demand: BandwidthAllocator.demand(streams), now: now)
        guard let budget = bandwidth.budget else {
            for index in consumers.indices { release(index) }
            bandwidth.allocatedBitsPerSecond = 0
            return
        }
        let held = bandwidth.upgradesHeld(now: now)
        // Layer by layer while an estimate limits us; a user's cap alone moves at once.
        let stepwise = bandwidth.input != .none
        // A receiver's own estimate (REMB) follows what it receives: paused on it, a video would
        // stay paused (LiveKit, REMB-driven, makes pausing opt-in for the same reason).
        let mayPause = bandwidth.input != .receiverEstimate
        var (decisions, total) = BandwidthAllocator.allocate(
            streams, estimate: budget, upgradeBudget: held ? 0 : bandwidth.upgradeBudget, oneStepUp: stepwise,
            mayPause: mayPause)
        if !held, let upgradeBudget = bandwidth.upgradeBudget, upgradeBudget < budget {
            // Would the estimate buy more than what the path is known to carry? Then find out first.
            let wanted = BandwidthAllocator.allocate(streams, estimate: budget).total
            if wanted > total { bandwidth.wantProof(of: min(budget, wanted * 115 / 100), sending: total, now: now) }
        }
        if let held = holdWhileSlightlyShort(streams, decisions, budget: budget, now: now) {
            (decisions, total) = held
        }
        bandwidth.allocatedBitsPerSecond = total
        var wentUp = false
        var wentDown = false
        for (position, index) in indices.enumerated() where consumers[index].setup.kind == .video {
            // Up or down against what the stream has now (a manual ceiling's change is neither:
            // the allocator only follows it).
            if let current = streams[position].current {
                switch decisions[position] {
                case .paused: wentDown = true
                case .layer(let layer):
                    if layer < current && layer < (streams[position].ceiling ?? Int.max) { wentDown = true }
                    if layer > current { wentUp = true }
                }
            } else if case .layer = decisions[position] {
                wentUp = true
            }
            let before = (consumers[index].pausedForBandwidth, consumers[index].budgetLayer)
            switch decisions[position] {
            case .paused: pause(index)
            case .layer(let layer): give(layer: layer, to: index)
            }
            if before != (consumers[index].pausedForBandwidth, consumers[index].budgetLayer) {
                let upgrades = bandwidth.upgradeBudget ?? budget
                logger.debug(
                    "bandwidth: mid \(consumers[index].setup.mid) \(decisions[position]) (estimate \(budget), upgrades \(upgrades), prices \(streams[position].layerRates), cap \(bandwidth.cap))")
            }
        }
        if wentDown, bandwidth.cap == 0 || budget < bandwidth.cap {
            bandwidth.noteDowngrade(now: now)
            logger.debug("bandwidth: no layer added for \(bandwidth.upgradeHold / 1_000_000) ms")
        } else if wentUp {
            bandwidth.noteUpgrade(now: now)
        }
    }

    /// The estimate wobbles by some ±8 % around the path's capacity: a stream that fits on the
    /// average is not taken down on every dip. While the estimate is short of what the streams
    /// have by no more than `downgradeTolerance`, they keep it, for up to `downgradeHold`; a
    /// bigger shortfall (a link that really narrowed) takes them down at once.
    private func holdWhileSlightlyShort(
        _ streams: [BandwidthAllocator.Stream], _ decisions: [BandwidthAllocator.Decision], budget: Int, now: MonotonicInstant
    ) -> (decisions: [BandwidthAllocator.Decision], total: Int)? {
        let goesDown = zip(streams, decisions).contains { stream, decision in
            guard stream.isVideo, let current = stream.current else { return false }
            if case .layer(let layer) = decision { return layer < current }
            return true
        }
        guard goesDown else {
            bandwidth.shortSince = nil
            return nil
        }
        let since = bandwidth.shortSince ?? now
        bandwidth.shortSince = since
        guard now.nanoseconds(since: since) < SubscriberBandwidth.downgradeHoldNanoseconds else { return nil }
        // Only what each has, nothing more, within the tolerance.
        let holding = streams.map { stream -> BandwidthAllocator.Stream in
            var held = stream
            guard stream.isVideo else { return held }
            if let current = stream.current {
                held.ceiling = min(stream.ceiling ?? current, current)
            } else {
                held.layerRates = held.layerRates.map { _ in 0 }  // paused stays paused
            }
            return held
        }
        let tolerated = Int(Double(budget) * SubscriberBandwidth.downgradeTolerance)
        let kept = BandwidthAllocator.allocate(holding, estimate: tolerated)
        let keepsAll = zip(streams, kept.decisions).allSatisfy { stream, decision in
            guard stream.isVideo, let current = stream.current else { return true }
            return decision == .layer(current)
        }
        return keepsAll ? kept : nil
    }

    /// Consumer `index` may send layer `layer` (and below): resumed if it was paused.
    private func give(layer: Int, to index: Int) {
        if consumers[index].pausedForBandwidth {
            consumers[index].pausedForBandwidth = false
            emit(.videoPaused(mid: consumers[index].setup.mid, paused: false))
        }
        guard consumers[index].layerChoice != nil, consumers[index].budgetLayer != layer else { return }
        consumers[index].budgetLayer = layer
        consumers[index].layerChoice?.budgetCeiling = layer
        bandwidth.switches += 1
        countedIn?.bandwidthLayerChanges.add(1, ordering: .relaxed)
    }

    /// Not even the lowest layer of consumer `index`'s source fits: nothing goes out until it does,
    /// then from a keyframe with the numbering continued.
    private func pause(_ index: Int) {
        guard !consumers[index].pausedForBandwidth else { return }
        consumers[index].pausedForBandwidth = true
        consumers[index].forwardedSSRC = nil
        consumers[index].sequence.pause()
        consumers[index].layerChoice?.reset()
        if consumers[index].layerChoice != nil {
            // It comes back at the bottom and climbs from there.
            consumers[index].budgetLayer = 0
            consumers[index].layerChoice?.budgetCeiling = 0
        }
        bandwidth.pauses += 1
        countedIn?.bandwidthPauses.add(1, ordering: .relaxed)
        emit(.videoPaused(mid: consumers[index].setup.mid, paused: true))
    }

    /// Nothing limits this subscriber any more: every consumer goes back to its own choice.
    private func release(_ index: Int) {
        if consumers[index].pausedForBandwidth {
            consumers[index].pausedForBandwidth = false
            emit(.videoPaused(mid: consumers[index].setup.mid, paused: false))
        }
        consumers[index].budgetLayer = nil
        consumers[index].layerChoice?.budgetCeiling = nil
    }

    // MARK: Probes

    /// Sends the running probe's padding that is due by now (paced at the cluster's rate over
    /// the transport's ticks), and ends it once it lasted long enough and sent enough packets.
    private func sendProbe(now: MonotonicInstant, output: PacketOutput) {
        guard var probe = bandwidth.probe else { return }
        guard let index = paddingStreamIndex else {
            bandwidth.probe = nil
            return
        }
        // What is due by the end of this tick (the next one comes 10 ms later), up to the cluster's
        // whole: the padding is spread over the cluster's duration, not sent at once.
        let elapsed = Int64(now.nanoseconds(since: probe.startedAt) / 1_000)
        let until = min(elapsed + Int64(WorkerCore.tickNanoseconds / 1_000), probe.cluster.durationMicros)
        let total = Int(Int64(probe.cluster.bitsPerSecond) * probe.cluster.durationMicros / 8_000_000)
        let due = Int(Int64(probe.cluster.bitsPerSecond) * until / 8_000_000)
        var sentNow = 0
        var failed = false
        while probe.bytesSent < due || probe.packetsSent < probe.cluster.minimumPackets && until >= probe.cluster.durationMicros,
            sentNow < Self.maximumPaddingPacketsPerTick
        {
            let size = sendPadding(streamIndex: index, cluster: probe.cluster.id, now: now, output: output)
            guard size > 0 else {
                failed = true
                break
            }
            probe.bytesSent += size
            probe.packetsSent += 1
            sentNow += 1
        }
        let finished = probe.bytesSent >= total && probe.packetsSent >= probe.cluster.minimumPackets
        if finished { bandwidth.probeEnded(cluster: probe.cluster.id, now: now) }
        bandwidth.probe = finished || failed ? nil : probe
    }

    /// Padding bytes in one probe packet (RFC 3550 §5.1: the count is one byte).
    static let paddingBytes = 255
    /// At most this many padding packets go into one send batch.
    static let maximumPaddingPacketsPerTick = 64

    /// The m-line whose RTX stream carries probe padding: the receiver drops padding-only RTX
    /// packets after counting them for its feedback, so no media stream's numbering is touched.
    private var paddingStreamIndex: Int? {
        consumers.firstIndex { $0.setup.sends && $0.setup.rtxPayloadType != nil && $0.setup.localRTXSSRC != nil }
    }

    /// One padding-only RTP packet on consumer `index`'s RTX stream, numbered transport-wide and
    /// recorded as part of probe `cluster`. Returns its size (0 when it could not be sent).
    private func sendPadding(streamIndex index: Int, cluster: Int, now: MonotonicInstant, output: PacketOutput) -> Int {
        guard let outbound, let destination = selectedAddress, bandwidth.extensionID != 0,
            let payloadType = consumers[index].setup.rtxPayloadType, let ssrc = consumers[index].setup.localRTXSSRC
        else { return 0 }
        let sequence = consumers[index].rtxSequence
        consumers[index].rtxSequence &+= 1
        let id = bandwidth.extensionID
        let wire = bandwidth.history.nextWireSequence
        var size = 0
        output.send(socketIndex: selectedSocket, to: destination) { slot in
            let length = RTPPacket.fixedHeaderLength + Self.paddingBytes
            let capacity = slot.count - outbound.profile.rtpOverhead
            guard length + 8 <= capacity else { return 0 }
            slot.writeUInt8(0xA0, at: 0)  // version 2, padding
            slot.writeUInt8(payloadType & 0x7F, at: 1)
            slot.writeUInt16(sequence, at: 2)
            slot.writeUInt32(0, at: 4)
            slot.writeUInt32(ssrc, at: 8)
            for offset in RTPPacket.fixedHeaderLength..<(length - 1) { slot.writeUInt8(0, at: offset) }
            slot.writeUInt8(UInt8(Self.paddingBytes), at: length - 1)
            guard let stamped = RTPPacket.stampTransportSequence(wire, id: id, in: slot, length: length, capacity: capacity),
                let protected = try? outbound.protectRTP(slot, length: stamped)
            else { return 0 }
            size = stamped
            return protected
        }
        guard size > 0 else { return 0 }
        bandwidth.history.recordSent(size: size, at: now, probeCluster: cluster)
        return size
    }
}
