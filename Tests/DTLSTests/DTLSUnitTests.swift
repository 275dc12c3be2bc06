import RTP
import SFUBase
import Testing
@testable import DTLS

@Suite("DTLS building blocks")
struct DTLSUnitTests {
    private func record(type: UInt8, length: Int, fill: UInt8 = 0) -> [UInt8] {
        [type, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, UInt8(length >> 8), UInt8(length & 0xFF)]
            + Array(repeating: fill, count: length)
    }

    @Test func packerPacksWholeRecordsUpToTheMTU() {
        let a = record(type: 22, length: 500, fill: 1)  // 513 bytes
        let b = record(type: 22, length: 600, fill: 2)  // 613
        let c = record(type: 20, length: 1, fill: 3)  // 14
        let d = record(type: 22, length: 1000, fill: 4)  // 1013
        var out: [[UInt8]] = []
        DTLSRecordPacker.appendDatagrams(packing: a + b + c + d, mtu: 1200, to: &out)
        #expect(out == [a + b + c, d])
        out = []
        DTLSRecordPacker.appendDatagrams(packing: a + b, mtu: 1000, to: &out)
        #expect(out == [a, b])
        out = []
        // An oversized record still goes out whole, on its own.
        DTLSRecordPacker.appendDatagrams(packing: c + d + c, mtu: 500, to: &out)
        #expect(out == [c, d, c])
    }

    @Test func packerToleratesMalformedTails() {
        var out: [[UInt8]] = []
        DTLSRecordPacker.appendDatagrams(packing: [22, 0xFE], mtu: 1200, to: &out)
        #expect(out == [[22, 0xFE]])
        out = []
        let truncated = Array(record(type: 22, length: 100).prefix(50))
        DTLSRecordPacker.appendDatagrams(packing: truncated, mtu: 1200, to: &out)
        #expect(out == [truncated])
        out = []
        DTLSRecordPacker.appendDatagrams(packing: [], mtu: 1200, to: &out)
        #expect(out.isEmpty)
    }

    @Test func dtlsFilter() {
        func check(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { DTLSRecordPacker.looksLikeDTLS($0) } }
        #expect(check(record(type: 22, length: 0)))
        #expect(!check(Array(record(type: 22, length: 0).prefix(12))))
        #expect(!check(record(type: 0x80, length: 0)))  // RTP
        #expect(!check(record(type: 0, length: 0)))  // STUN
        #expect(!check([22, 0x03, 0x03] + Array(repeating: 0, count: 10)))  // TLS, not DTLS
    }

    /// RFC 5764 §4.2: client_write_key | server_write_key | client_write_salt | server_write_salt.
    @Test(arguments: [UInt16(1), 2, 7, 8])
    func keyingMaterialSplitAndRoles(profileID: UInt16) throws {
        let profile = try #require(DTLSSRTPProtectionProfile(id: profileID))
        let k = profile.masterKeyLength
        let s = profile.masterSaltLength
        let exported = (0..<(2 * (k + s))).map { UInt8($0) }
        let client = try #require(DTLSSRTPKeyingMaterial(exported: exported, profile: profile, role: .client))
        let server = try #require(DTLSSRTPKeyingMaterial(exported: exported, profile: profile, role: .server))
        #expect(client.localMasterKey == Array(exported[0..<k]))
        #expect(client.remoteMasterKey == Array(exported[k..<2 * k]))
        #expect(client.localMasterSalt == Array(exported[2 * k..<2 * k + s]))
        #expect(client.remoteMasterSalt == Array(exported[2 * k + s..<2 * k + 2 * s]))
        #expect(server.localMasterKey == client.remoteMasterKey && server.remoteMasterKey == client.localMasterKey)
        #expect(server.localMasterSalt == client.remoteMasterSalt && server.remoteMasterSalt == client.localMasterSalt)
        #expect(client.protectionProfile == profileID)
        #expect(DTLSSRTPKeyingMaterial(exported: exported.dropLast().map { $0 }, profile: profile, role: .client) == nil)
    }

    @Test func profileLists() throws {
        #expect(try DTLSSRTPProtectionProfile.openSSLList([7, 1, 2])
            == "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32")
        #expect(throws: DTLSError.unsupportedSRTPProfile(3)) { try DTLSSRTPProtectionProfile.openSSLList([1, 3]) }
    }

    @Test func timerPolicyCopiesPerFlight() {
        #expect(DTLSTimerPolicy().retransmissionsPerFlight == 4)  // 1, 3, 7, 15 s < 30 s
        #expect(DTLSTimerPolicy(initialRetransmitMilliseconds: 10, handshakeTimeoutMilliseconds: 100_000)
            .retransmissionsPerFlight == DTLSTimerPolicy.maximumRetransmissionsPerFlight)
        #expect(DTLSTimerPolicy(handshakeTimeoutMilliseconds: 500).retransmissionsPerFlight == 1)
    }

    @Test func retransmitterBackOff() {
        var timer = DTLSFlightRetransmitter(policy: DTLSTimerPolicy(maximumRetransmitMilliseconds: 4_000))
        let t0 = MonotonicInstant(nanoseconds: 0)
        #expect(timer.nextRetransmission == nil)
        timer.flightStarted(at: t0)
        #expect(timer.nextRetransmission == nil)  // no copy prepared yet
        for n in 0..<4 { timer.append([UInt8(n)], toCopy: timer.beginCopy()) }
        #expect(timer.nextRetransmission == t0.adding(milliseconds: 1_000))
        #expect(timer.popDue(now: t0.adding(milliseconds: 999)) == nil)
        #expect(timer.popDue(now: t0.adding(milliseconds: 1_000)) == [0])
        #expect(timer.nextRetransmission == t0.adding(milliseconds: 3_000))
        #expect(timer.popDue(now: t0.adding(milliseconds: 3_500)) == [1])  // late: restarts from now
        #expect(timer.nextRetransmission == t0.adding(milliseconds: 7_500))
        #expect(timer.popDue(now: t0.adding(milliseconds: 7_500)) == [2])
        #expect(timer.nextRetransmission == t0.adding(milliseconds: 11_500))  // capped at 4 s
        #expect(timer.popDue(now: t0.adding(milliseconds: 11_500)) == [3])
        #expect(timer.nextRetransmission == nil)
        timer.flightStarted(at: t0)
        timer.cancel()
        #expect(timer.nextRetransmission == nil)
    }
}
