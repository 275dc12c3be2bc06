import Benchmark
import CLibSRTPBench
import RTP

#if canImport(Glibc)
import Glibc
#endif

// SRTP protect/unprotect of a 1200-byte RTP packet, ours next to Debian's libsrtp2, and
// RTP header parsing. Each benchmark iteration runs 1000 packets (scalingFactor .kilo);
// figures are per packet.
//
// Protect re-encrypts the same buffer with a new sequence number each time (the transform
// does not look at payload bytes, so no copy is needed). Unprotect must see fresh, valid
// packets: it copies one of 1024 pre-protected packets into the work buffer first (the
// "memcpy 1210 B" benchmark measures that copy), and forgets the stream after each round
// of 1024 so the replay window accepts the next round.

let payloadLength = 1200
let roundSize = 1024
let ssrc: UInt32 = 0x1234_5678

func makePlainPacket() -> [UInt8] {
    var builder = RTPPacketBuilder(payloadType: 96, sequenceNumber: 0, timestamp: 0, ssrc: ssrc)
    builder.extensions = [(1, [0x30]), (3, [0, 1, 2])]
    builder.payload = (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0) }
    return builder.bytes()
}

let masterKey: [UInt8] = (0..<16).map { UInt8($0) }
func masterSalt(_ profile: SRTPProtectionProfile) -> [UInt8] {
    (0..<profile.masterSaltLength).map { UInt8(0xA0 + $0) }
}

/// libsrtp2 session for the side-by-side figures.
final class LibSRTP: @unchecked Sendable {
    var session: srtp_t?
    static let ready: Bool = srtp_init() == srtp_err_status_ok

    init(profile: SRTPProtectionProfile, outbound: Bool) {
        _ = Self.ready
        var policy = srtp_policy_t()
        let p = srtp_profile_t(rawValue: UInt32(profile.rawValue))
        _ = srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, p)
        _ = srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, p)
        policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = 128
        policy.allow_repeat_tx = 1
        var material = masterKey + masterSalt(profile)
        material.withUnsafeMutableBufferPointer { m in
            policy.key = m.baseAddress
            _ = srtp_create(&session, &policy)
        }
    }

    deinit { if let session { srtp_dealloc(session) } }
}

/// Buffers and contexts made once, outside the measured region.
final class SRTPBench: @unchecked Sendable {
    let profile: SRTPProtectionProfile
    let plainLength: Int
    let work: UnsafeMutableRawBufferPointer
    let protectedPackets: UnsafeMutableRawBufferPointer
    let protectedLength: Int
    let stride = 1536
    var seq: UInt16 = 0

    init(profile: SRTPProtectionProfile) {
        self.profile = profile
        let plain = makePlainPacket()
        plainLength = plain.count
        let work = UnsafeMutableRawBufferPointer.allocate(byteCount: 1536, alignment: 64)
        work.initializeMemory(as: UInt8.self, repeating: 0)
        plain.withUnsafeBytes { work.copyMemory(from: $0) }
        self.work = work
        let protectedPackets = UnsafeMutableRawBufferPointer.allocate(byteCount: 1536 * roundSize, alignment: 64)
        protectedPackets.initializeMemory(as: UInt8.self, repeating: 0)
        self.protectedPackets = protectedPackets
        protectedLength = plainLength + profile.rtpOverhead
        // Pre-protect one round of packets with our sender (byte-identical to libsrtp's).
        guard let sender = try? SRTPContext(profile: profile, masterKey: masterKey, masterSalt: masterSalt(profile))
        else { return }
        for i in 0..<roundSize {
            let slot = UnsafeMutableRawBufferPointer(rebasing: protectedPackets[(i * stride)..<((i + 1) * stride)])
            plain.withUnsafeBytes { slot.copyMemory(from: $0) }
            slot.storeBytes(of: UInt16(i).bigEndian, toByteOffset: 2, as: UInt16.self)
            _ = try? sender.protectRTP(slot, length: plainLength)
        }
    }

    deinit {
        work.deallocate()
        protectedPackets.deallocate()
    }

    @inline(__always)
    func nextProtectInput() {
        seq &+= 1
        work.storeBytes(of: seq.bigEndian, toByteOffset: 2, as: UInt16.self)
    }

    /// Copies pre-protected packet `i % roundSize` into the work buffer; true at a round start.
    @inline(__always)
    func loadProtected(_ i: Int) -> Bool {
        let k = i % roundSize
        if let dst = work.baseAddress, let src = protectedPackets.baseAddress {
            memcpy(dst, src + k * stride, protectedLength)
        }
        return k == 0
    }
}

let profiles: [(String, SRTPProtectionProfile)] = [("AES-CM-80", .aes128CmHmacSha1_80), ("GCM", .aeadAes128Gcm)]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000)

    for (name, profile) in profiles {
        Benchmark("SRTP protect 1200B \(name) ours") { benchmark in
            let bench = SRTPBench(profile: profile)
            guard let ctx = try? SRTPContext(profile: profile, masterKey: masterKey, masterSalt: masterSalt(profile))
            else { return }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                bench.nextProtectInput()
                blackHole(try? ctx.protectRTP(bench.work, length: bench.plainLength))
            }
            benchmark.stopMeasurement()
        }

        Benchmark("SRTP protect 1200B \(name) libsrtp2") { benchmark in
            let bench = SRTPBench(profile: profile)
            let lib = LibSRTP(profile: profile, outbound: true)
            var length = Int32(0)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                bench.nextProtectInput()
                length = Int32(bench.plainLength)
                blackHole(srtp_protect(lib.session, bench.work.baseAddress, &length))
            }
            benchmark.stopMeasurement()
        }

        Benchmark("SRTP unprotect 1200B \(name) ours") { benchmark in
            let bench = SRTPBench(profile: profile)
            guard let ctx = try? SRTPContext(profile: profile, masterKey: masterKey, masterSalt: masterSalt(profile))
            else { return }
            var i = 0
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                if bench.loadProtected(i) { ctx.removeStream(ssrc: ssrc) }
                i += 1
                blackHole(try? ctx.unprotectRTP(bench.work, length: bench.protectedLength))
            }
            benchmark.stopMeasurement()
        }

        Benchmark("SRTP unprotect 1200B \(name) libsrtp2") { benchmark in
            let bench = SRTPBench(profile: profile)
            let lib = LibSRTP(profile: profile, outbound: false)
            var i = 0
            var length = Int32(0)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                if bench.loadProtected(i) { _ = srtp_remove_stream(lib.session, ssrc.bigEndian) }
                i += 1
                length = Int32(bench.protectedLength)
                blackHole(srtp_unprotect(lib.session, bench.work.baseAddress, &length))
            }
            benchmark.stopMeasurement()
        }
    }

    // Fan-out: one decrypted source packet, protected for a receiver into its own buffer.
    Benchmark("SRTP fan-out 1200B GCM ours: copy packet + protect in place") { benchmark in
        let bench = SRTPBench(profile: .aeadAes128Gcm)
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: 1536, alignment: 64)
        defer { out.deallocate() }
        guard let ctx = try? SRTPContext(profile: .aeadAes128Gcm, masterKey: masterKey,
                                         masterSalt: masterSalt(.aeadAes128Gcm)),
            let src = bench.work.baseAddress, let dst = out.baseAddress
        else { return }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            bench.nextProtectInput()
            memcpy(dst, src, bench.plainLength)
            blackHole(try? ctx.protectRTP(out, length: bench.plainLength))
        }
        benchmark.stopMeasurement()
    }

    Benchmark("SRTP fan-out 1200B GCM ours: copy header + protect out of place") { benchmark in
        let bench = SRTPBench(profile: .aeadAes128Gcm)
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: 1536, alignment: 64)
        defer { out.deallocate() }
        guard let ctx = try? SRTPContext(profile: .aeadAes128Gcm, masterKey: masterKey,
                                         masterSalt: masterSalt(.aeadAes128Gcm)),
            let src = bench.work.baseAddress, let dst = out.baseAddress,
            let headerLength = try? RTPPacket(buffer: bench.work, length: bench.plainLength).headerLength
        else { return }
        let payload = UnsafeRawBufferPointer(rebasing: bench.work[headerLength..<bench.plainLength])
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            bench.nextProtectInput()
            memcpy(dst, src, headerLength)
            blackHole(try? ctx.protectRTP(header: out, headerLength: headerLength, payload: payload))
        }
        benchmark.stopMeasurement()
    }

    Benchmark("memcpy 1210B (unprotect input copy)") { benchmark in
        let bench = SRTPBench(profile: .aes128CmHmacSha1_80)
        var i = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(bench.loadProtected(i))
            i += 1
        }
        benchmark.stopMeasurement()
    }

    Benchmark("RTP parse + seq/ts/ssrc + extension lookup") { benchmark in
        let bench = SRTPBench(profile: .aes128CmHmacSha1_80)
        var sum: UInt32 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if let packet = try? RTPPacket(buffer: bench.work, length: bench.plainLength) {
                sum &+= UInt32(packet.sequenceNumber) &+ packet.timestamp &+ packet.ssrc
                sum &+= UInt32(packet.headerExtensions?.element(id: 3)?.valueLength ?? 0)
            }
        }
        benchmark.stopMeasurement()
        blackHole(sum)
    }

    Benchmark("RTP rewrite ssrc/seq/ts + extension id remap") { benchmark in
        let bench = SRTPBench(profile: .aes128CmHmacSha1_80)
        let forward = RTPHeaderExtensionIDMap([1: 2, 3: 4], dropUnlisted: false)
        let back = RTPHeaderExtensionIDMap([2: 1, 4: 3], dropUnlisted: false)
        var flip = false
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if let packet = try? RTPPacket(buffer: bench.work, length: bench.plainLength) {
                packet.ssrc = 0xABCD_EF01
                packet.sequenceNumber &+= 1
                packet.timestamp &+= 3000
                try? packet.headerExtensions?.remapIDs(flip ? back : forward)
                flip.toggle()
            }
        }
        benchmark.stopMeasurement()
    }
}
