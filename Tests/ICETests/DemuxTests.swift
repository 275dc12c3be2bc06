import Testing

@testable import ICE

@Suite struct DemuxTests {
    @Test func rangesPerRFC7983() {
        for first in 0...255 {
            let byte = UInt8(first)
            let expected: DatagramKind
            switch first {
            case 0...3: expected = .stun
            case 20...63: expected = .dtls
            case 128...191: expected = .rtp
            default: expected = .unknown
            }
            #expect(DatagramKind.classify([byte, 96, 0, 0]) == expected, "first byte \(first)")
        }
    }

    @Test func rtcpByPacketType() {
        for second in 0...255 {
            let kind = DatagramKind.classify([0x80, UInt8(second)])
            #expect(kind == ((192...223).contains(second) ? .rtcp : .rtp), "second byte \(second)")
        }
        // SR, RR, SDES, BYE, RTPFB, PSFB with the version bits set.
        for packetType: UInt8 in [200, 201, 202, 203, 205, 206] {
            #expect(DatagramKind.classify(firstByte: 0x81, secondByte: packetType) == .rtcp)
        }
        // RTP with the marker bit and a dynamic payload type (0x80 | 96 = 224) stays RTP.
        #expect(DatagramKind.classify(firstByte: 0x90, secondByte: 0xE0) == .rtp)
    }

    @Test func rawBufferAndShortInput() {
        #expect(DatagramKind.classify([UInt8]()) == .unknown)
        #expect(DatagramKind.classify([0x80]) == .unknown)
        #expect(DatagramKind.classify([0x01]) == .stun)
        [UInt8]().withUnsafeBytes { #expect(DatagramKind.classify($0) == .unknown) }
        RFC5769.request.withUnsafeBytes { #expect(DatagramKind.classify($0) == .stun) }
        ([0x16, 0xfe, 0xfd] as [UInt8]).withUnsafeBytes { #expect(DatagramKind.classify($0) == .dtls) }
        ([0x80, 0xc8, 0x00, 0x06] as [UInt8]).withUnsafeBytes { #expect(DatagramKind.classify($0) == .rtcp) }
        ([0x80] as [UInt8]).withUnsafeBytes { #expect(DatagramKind.classify($0) == .unknown) }
    }
}
