import Testing
@testable import DTLS

/// `releaseHandshakeState()`: the OpenSSL state goes, the keys and a working close_notify stay.
@Suite("DTLS endpoint after releasing its handshake state")
struct DTLSReleaseTests {
    @Test(arguments: [DTLSRole.server, DTLSRole.client])
    func keysStayAndCloseNotifyStillReachesThePeer(released role: DTLSRole) throws {
        let link = try DTLSTestLink.make()
        link.start()
        link.runUntilSettled()
        let endpoint = role == .server ? link.server : link.client
        let keys = endpoint.keyingMaterial
        #expect(keys != nil)
        endpoint.releaseHandshakeState()
        #expect(endpoint.hasReleasedHandshakeState)
        #expect(endpoint.isConnected)
        #expect(endpoint.keyingMaterial == keys)
        #expect(endpoint.pollTransmit() == nil, "close_notify is kept, not sent at release")
        #expect(!endpoint.sendApplicationData([1, 2, 3]))

        endpoint.close()
        link.pump()
        let peerEvents = role == .server ? link.clientEvents : link.serverEvents
        #expect(peerEvents.last.map(\.isClosed) == true)
        #expect(!endpoint.isConnected)
    }

    /// The record layer is gone, but the peer's close_notify is still recognised from its
    /// clear header (a protected alert record), so a closing browser hangs up at once.
    @Test func thePeersCloseNotifyStillClosesAfterTheRelease() throws {
        let (link, serverEventCount) = try Self.connectedLinkWithReleasedServer()
        link.client.close()
        link.pump()
        #expect(link.serverEvents.count == serverEventCount + 1)
        #expect(link.serverEvents.last.map(\.isClosed) == true)
        #expect(!link.server.isConnected)
    }

    /// Anything else after the release is dropped unread: application data, a plaintext
    /// (epoch 0) alert anyone could forge without keys, truncated records, garbage.
    @Test func otherRecordsAfterTheReleaseAreDropped() throws {
        let (link, serverEventCount) = try Self.connectedLinkWithReleasedServer()
        func record(type: UInt8, epoch: UInt16, body: [UInt8]) -> [UInt8] {
            [type, 0xFE, 0xFD, UInt8(epoch >> 8), UInt8(epoch & 0xFF), 0, 0, 0, 0, 0, 1,
             UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        }
        let datagrams: [[UInt8]] = [
            record(type: 23, epoch: 1, body: Array(repeating: 7, count: 40)),  // application data
            record(type: 21, epoch: 0, body: [1, 0]),  // plaintext close_notify
            Array(record(type: 21, epoch: 1, body: Array(repeating: 7, count: 26)).dropLast(5)),  // truncated
            [21, 0xFE],  // shorter than a header
            Array(repeating: 0x15, count: 30),  // not DTLS
        ]
        for datagram in datagrams {
            datagram.withUnsafeBytes { link.server.handleDatagram($0, now: link.now) }
        }
        link.pump()
        #expect(link.serverEvents.count == serverEventCount)
        #expect(link.server.isConnected)
    }

    /// A connected pair whose server has released its handshake state, and the server's event
    /// count at that moment.
    static func connectedLinkWithReleasedServer() throws -> (DTLSTestLink, Int) {
        let link = try DTLSTestLink.make()
        link.start()
        link.runUntilSettled()
        link.server.releaseHandshakeState()
        return (link, link.serverEvents.count)
    }

    @Test func releaseBeforeTheHandshakeFinishedDoesNothing() throws {
        let link = try DTLSTestLink.make()
        link.server.releaseHandshakeState()
        #expect(!link.server.hasReleasedHandshakeState)
        link.start()
        link.runUntilSettled()
        #expect(link.server.isConnected && link.client.isConnected)
    }
}
