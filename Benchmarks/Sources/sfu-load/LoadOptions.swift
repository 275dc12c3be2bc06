import Foundation

/// Command-line flags of `sfu-load` (the contract of issue 4, item 2, plus tuning knobs).
/// Parsed once on the main thread, then shared read-only.
struct LoadOptions: Sendable {
    var url = "http://127.0.0.1:8088/janus"
    var localAddress = "127.0.0.1"
    var publishers = 1
    var subscribers = 1
    var duration = 10.0
    var serverPID: Int32?
    var json = false
    var room: Int64?
    /// Target video bitrate of each publisher, bits per second.
    var videoBitrate = 1_000_000
    var frameRate = 30
    /// A keyframe every this many frames (0: only the first of the loop and on PLI/FIR).
    var keyframeInterval = 0
    var width = 640
    var height = 480
    var audioBitrate = 32_000
    /// Seconds of media encoded at start and replayed in a loop.
    var mediaLoop = 10.0
    var audio = true
    var video = true
    /// Subscribers authenticate and decrypt every Nth trailer-carrying packet per stream (and
    /// each stream's first ones); 1 decrypts everything. The rest is read from the clear header.
    var decryptEvery = 8
    /// Media threads driving the subscribers (the publishers have one of their own).
    var threads = 1
    /// Seconds between "everyone connected" and the start of the measured window.
    var warmup = 2.0
    /// Each subscriber's `max_bitrate` (VideoRoom `configure`, bits/s); nil: none sent.
    var subscriberMaxBitrate: Int?
    /// Subscribers answer transport-cc (and send its feedback) when offered.
    var transportWideCC = true

    static let usage = """
        usage: sfu-load --url URL [--local-address ADDR] [--publishers P] [--subscribers S]
                        [--duration SECONDS] [--server-pid PID] [--json] [--room ID]
                        [--video-bitrate BPS] [--fps N] [--keyframe-interval FRAMES]
                        [--width W] [--height H] [--audio-bitrate BPS] [--media-loop SECONDS]
                        [--no-audio] [--no-video] [--threads N] [--warmup SECONDS] [--decrypt-every N]
                        [--subscriber-max-bitrate BPS] [--no-twcc]
          --url            Janus API endpoint: http://HOST:PORT/janus (REST, long poll) or
                           ws://HOST:PORT (WebSocket, subprotocol janus-protocol)
          --local-address  address the peers bind and offer as their host candidate
          --subscribers    each subscriber subscribes to every publisher
          --server-pid     sample the server's CPU time and RSS from /proc
          --json           print one JSON object on stdout (progress goes to stderr)
          --subscriber-max-bitrate  each subscriber caps what it receives (configure max_bitrate,
                           a swift-sfu extension)
          --no-twcc        subscribers refuse transport-cc (by default they answer it when the
                           server offers it and send transport-wide feedback every 100 ms, as
                           browsers do: the server's per-subscriber estimator then runs)
        """

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> LoadOptions {
        var options = LoadOptions()
        var index = 0
        func value(_ flag: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count else { throw UsageError(description: "\(flag) needs a value") }
            return arguments[index]
        }
        func number<T: LosslessStringConvertible>(_ flag: String, _ type: T.Type) throws(UsageError) -> T {
            let text = try value(flag)
            guard let parsed = T(text) else { throw UsageError(description: "\(flag): not a number: \(text)") }
            return parsed
        }
        while index < arguments.count {
            let flag = arguments[index]
            switch flag {
            case "--url": options.url = try value(flag)
            case "--local-address": options.localAddress = try value(flag)
            case "--publishers": options.publishers = try number(flag, Int.self)
            case "--subscribers": options.subscribers = try number(flag, Int.self)
            case "--duration": options.duration = try number(flag, Double.self)
            case "--server-pid": options.serverPID = try number(flag, Int32.self)
            case "--json": options.json = true
            case "--room": options.room = try number(flag, Int64.self)
            case "--video-bitrate": options.videoBitrate = try number(flag, Int.self)
            case "--fps": options.frameRate = try number(flag, Int.self)
            case "--keyframe-interval": options.keyframeInterval = try number(flag, Int.self)
            case "--width": options.width = try number(flag, Int.self)
            case "--height": options.height = try number(flag, Int.self)
            case "--audio-bitrate": options.audioBitrate = try number(flag, Int.self)
            case "--media-loop": options.mediaLoop = try number(flag, Double.self)
            case "--no-audio": options.audio = false
            case "--no-video": options.video = false
            case "--threads": options.threads = try number(flag, Int.self)
            case "--decrypt-every": options.decryptEvery = try number(flag, Int.self)
            case "--warmup": options.warmup = try number(flag, Double.self)
            case "--subscriber-max-bitrate": options.subscriberMaxBitrate = try number(flag, Int.self)
            case "--no-twcc": options.transportWideCC = false
            case "-h", "--help": throw UsageError(description: usage)
            default: throw UsageError(description: "unknown flag \(flag)\n\(usage)")
            }
            index += 1
        }
        guard options.publishers >= 1, options.subscribers >= 0, options.duration > 0,
            options.frameRate >= 1, options.threads >= 1, options.audio || options.video
        else { throw UsageError(description: "invalid counts or duration\n\(usage)") }
        guard options.url.hasPrefix("http://") || options.url.hasPrefix("ws://") else {
            throw UsageError(description: "--url must start with http:// or ws://")
        }
        guard options.videoBitrate >= 50_000, options.width >= 16, options.height >= 16, options.mediaLoop > 0,
            options.keyframeInterval >= 0, options.decryptEvery >= 1
        else { throw UsageError(description: "invalid media settings\n\(usage)") }
        return options
    }
}
