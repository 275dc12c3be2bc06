#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

@testable import ICE

@Suite struct TransportAddressTests {
    @Test func parsesAndFormatsIPv4() throws {
        let address = try #require(TransportAddress("1.2.3.4", port: 5000))
        #expect(!address.isIPv6)
        #expect(address.port == 5000)
        #expect(address.ipString == "1.2.3.4")
        #expect(address.description == "1.2.3.4:5000")
        #expect(address.ipv4 == 0x0102_0304)
        #expect(address == TransportAddress(ipv4: 0x0102_0304, port: 5000))
    }

    @Test func parsesAndFormatsIPv6() throws {
        let loopback = try #require(TransportAddress("::1", port: 5000))
        #expect(loopback.isIPv6)
        #expect(loopback.description == "[::1]:5000")
        let full = try #require(TransportAddress("2001:0DB8:0000:0000:0000:0000:0000:0001", port: 1))
        #expect(full.ipString == "2001:db8::1")
        #expect(TransportAddress("[2001:db8::1]", port: 1) == full)
        #expect(full.ipv6Bytes == [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(TransportAddress(ipv6: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], port: 1) == full)
    }

    @Test func rejectsNonAddresses() {
        for text in ["", "localhost", "1.2.3", "1.2.3.256", "::g", "1.2.3.4:5", "[::1", "2001:db8::1::2"] {
            #expect(TransportAddress(text, port: 1) == nil, "\(text)")
        }
    }

    @Test func ipv4AndMappedIPv6AreDistinct() throws {
        let v4 = try #require(TransportAddress("10.0.0.1", port: 9))
        let mapped = try #require(TransportAddress("::ffff:10.0.0.1", port: 9))
        #expect(v4 != mapped)
        #expect(Set([v4, mapped]).count == 2)
        #expect(v4 != TransportAddress(ipv4: 0x0A00_0001, port: 10))
    }

    @Test func sockaddrRoundTrip() throws {
        for address in [TransportAddress("127.0.0.1", port: 40000), TransportAddress("::1", port: 443), TransportAddress("fe80::abcd:1", port: 1)] {
            let address = try #require(address)
            let copy: TransportAddress? = address.withSockAddr { pointer, length in
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { raw in
                    raw.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: Int(length)))
                }
                return TransportAddress(storage: storage)
            }
            #expect(copy == address)
        }
        #expect(TransportAddress(storage: sockaddr_storage()) == nil)
    }
}
