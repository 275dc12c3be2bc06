import RTP
import SFUBase

/// What one publisher sends, paced like a browser: an Opus packet every 20 ms and a VP8 frame
/// every 1/fps s whose packets leave spread out (at most 2.5 × the bitrate, as WebRTC's pacer
/// does, and within the frame interval). Replays `EncodedMedia`'s loops with its own SSRCs,
/// sequence numbers, timestamps and PictureIDs; a keyframe request restarts the video loop at
/// its keyframe. Stamps every audio packet and the last packet of every frame with a
/// `MediaTrailer` at the moment it is sent. Owned by the publisher's media thread.
struct PublisherMedia {
    /// One RTP stream of the publisher and its share of the measured window.
    struct Stream {
        let ssrc: UInt32
        /// Index of this stream among all publishers' streams (publisher × 2, + 1 for video).
        let index: UInt16
        let payloadType: UInt8
        var sequenceNumber: UInt16
        /// `sequenceNumber` never wraps within a run, so the extended form is its running count.
        var extendedSequence: Int64
        var timestamp: UInt32
        /// Extended sequence numbers of the first packet sent in the window and of the first
        /// sent after it.
        var windowFirst: Int64?
        var windowEnd: Int64?
        var windowSent = 0
        /// RTP payload bytes of the packets sent in the window.
        var windowOctets = 0
        var sent = 0
        var octets = 0

        init(ssrc: UInt32, index: UInt16, payloadType: UInt8) {
            self.ssrc = ssrc
            self.index = index
            self.payloadType = payloadType
            // Below 8192, so the 16-bit number does not wrap for the first 57 000 packets.
            sequenceNumber = UInt16.random(in: 0..<8192)
            extendedSequence = Int64(sequenceNumber)
            timestamp = UInt32.random(in: 0...UInt32.max)
        }

        mutating func next(window: MeasurementWindow, now: UInt64) -> UInt16 {
            let number = sequenceNumber
            if window.contains(now) {
                if windowFirst == nil { windowFirst = extendedSequence }
                windowSent += 1
            } else if now >= window.end, windowEnd == nil {
                windowEnd = extendedSequence
            }
            sequenceNumber &+= 1
            extendedSequence += 1
            sent += 1
            return number
        }
    }

    private struct QueuedPacket {
        var payload: [UInt8]
        var timestamp: UInt32
        var marker: Bool
        var due: MonotonicInstant
    }

    static let maxPayload = 1200
    static let audioIntervalNanoseconds: UInt64 = 20_000_000
    static let pacingFactor = 2.5

    let media: EncodedMedia
    private(set) var audio: Stream?
    private(set) var video: Stream?
    private var audioIndex = 0
    private var videoIndex = 0
    private var pictureID = UInt16.random(in: 0...0x7FFF)
    private var nextAudio = MonotonicInstant(nanoseconds: 0)
    private var nextVideo = MonotonicInstant(nanoseconds: 0)
    private var queue: [QueuedPacket] = []
    private var queueHead = 0
    private let frameInterval: UInt64
    private let timestampStep: UInt32
    private let bitrate: Double
    var keyframeRequested = false
    private(set) var keyframesSent = 0
    /// Set after the measured window: nothing more is sent, so the subscribers can drain.
    var stopped = false

    init(media: EncodedMedia, publisher: Int, audioSSRC: UInt32?, videoSSRC: UInt32?, audioPayloadType: UInt8,
         videoPayloadType: UInt8) {
        self.media = media
        if let audioSSRC, !media.audioPackets.isEmpty {
            audio = Stream(ssrc: audioSSRC, index: UInt16(truncatingIfNeeded: publisher * 2), payloadType: audioPayloadType)
        }
        if let videoSSRC, !media.videoFrames.isEmpty {
            video = Stream(
                ssrc: videoSSRC, index: UInt16(truncatingIfNeeded: publisher * 2 + 1), payloadType: videoPayloadType)
        }
        frameInterval = 1_000_000_000 / UInt64(max(1, media.frameRate))
        timestampStep = UInt32(90_000 / max(1, media.frameRate))
        bitrate = max(100_000, media.videoBitrate)
    }

    /// Starts the clocks (DTLS-SRTP just came up).
    mutating func start(now: MonotonicInstant) {
        nextAudio = now
        nextVideo = now
    }

    /// When `send` next has something to do.
    var nextDue: MonotonicInstant? {
        guard !stopped else { return nil }
        var due: MonotonicInstant?
        if audio != nil { due = nextAudio }
        if video != nil { due = min(due ?? nextVideo, queueHead < queue.count ? queue[queueHead].due : nextVideo) }
        return due
    }

    /// The packets due at `now`, ready to protect and send.
    mutating func send(now: MonotonicInstant, window: MeasurementWindow, into output: inout [RTPPacketBuilder]) {
        guard !stopped else { return }
        if var stream = audio, nextAudio <= now {
            var payload = media.audioPackets[audioIndex % media.audioPackets.count]
            audioIndex += 1
            let number = stream.next(window: window, now: now.nanoseconds)
            MediaTrailer(stream: stream.index, sequenceNumber: number, sentNanoseconds: now.nanoseconds).write(into: &payload)
            output.append(RTPPacketBuilder(
                payloadType: stream.payloadType, sequenceNumber: number, timestamp: stream.timestamp, ssrc: stream.ssrc,
                marker: stream.sent == 1, payload: payload))
            stream.timestamp &+= 960
            stream.octets += payload.count
            if window.contains(now.nanoseconds) { stream.windowOctets += payload.count }
            audio = stream
            // Paced like a capturer; after a stall, skip ahead instead of bursting.
            nextAudio = nextAudio.adding(nanoseconds: Self.audioIntervalNanoseconds)
            if nextAudio < now { nextAudio = now.adding(nanoseconds: Self.audioIntervalNanoseconds) }
        }
        guard var stream = video else { return }
        if nextVideo <= now {
            enqueueFrame(now: now, stream: &stream)
            nextVideo = nextVideo.adding(nanoseconds: frameInterval)
            if nextVideo < now { nextVideo = now.adding(nanoseconds: frameInterval) }
        }
        while queueHead < queue.count, queue[queueHead].due <= now {
            var packet = queue[queueHead]
            queueHead += 1
            let number = stream.next(window: window, now: now.nanoseconds)
            if packet.marker {
                MediaTrailer(stream: stream.index, sequenceNumber: number, sentNanoseconds: now.nanoseconds)
                    .write(into: &packet.payload)
            }
            stream.octets += packet.payload.count
            if window.contains(now.nanoseconds) { stream.windowOctets += packet.payload.count }
            output.append(RTPPacketBuilder(
                payloadType: stream.payloadType, sequenceNumber: number, timestamp: packet.timestamp, ssrc: stream.ssrc,
                marker: packet.marker, payload: packet.payload))
        }
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        }
        video = stream
    }

    private mutating func enqueueFrame(now: MonotonicInstant, stream: inout Stream) {
        if keyframeRequested {
            keyframeRequested = false
            videoIndex = 0
        }
        let frame = media.videoFrames[videoIndex % media.videoFrames.count]
        videoIndex += 1
        let timestamp = stream.timestamp
        stream.timestamp &+= timestampStep
        // A frame the encoder dropped keeps its slot on the timeline.
        guard !frame.data.isEmpty else { return }
        if frame.isKeyframe { keyframesSent += 1 }
        let payloads = VP8Packetizer.payloads(
            frame: frame.data, pictureID: pictureID, maxPayload: Self.maxPayload, trailerRoom: MediaTrailer.length)
        pictureID = (pictureID &+ 1) & 0x7FFF
        let packetBits = Double(Self.maxPayload * 8)
        let spacing = min(
            UInt64(packetBits / (Self.pacingFactor * bitrate) * 1e9), frameInterval / UInt64(payloads.count + 1))
        for (index, payload) in payloads.enumerated() {
            queue.append(QueuedPacket(
                payload: payload, timestamp: timestamp, marker: index == payloads.count - 1,
                due: now.adding(nanoseconds: spacing * UInt64(index))))
        }
    }

    /// A sender report for each stream (RFC 3550 §6.4.1), NTP time from the wall clock.
    func senderReports(now: MonotonicInstant, wallClock: Double) -> [RTCPSenderReport] {
        let seconds = wallClock + 2_208_988_800  // 1970 → 1900
        let ntp = UInt64(seconds) << 32 | UInt64((seconds - seconds.rounded(.down)) * 4_294_967_296)
        return [audio, video].compactMap { stream in
            guard let stream, stream.sent > 0 else { return nil }
            return RTCPSenderReport(
                ssrc: stream.ssrc, ntpTimestamp: ntp, rtpTimestamp: stream.timestamp,
                packetCount: UInt32(truncatingIfNeeded: stream.sent), octetCount: UInt32(truncatingIfNeeded: stream.octets))
        }
    }
}
