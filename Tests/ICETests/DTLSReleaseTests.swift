import Testing
@testable import ICE

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

    @Test func recordsArrivingAfterTheReleaseAreDropped() throws {
        let link = try DTLSTestLink.make()
        link.start()
        link.runUntilSettled()
        link.server.releaseHandshakeState()
        let serverEventCount = link.serverEvents.count
        // The client's close_notify (and anything else) is no longer read by the server.
        link.client.close()
        link.pump()
        #expect(link.serverEvents.count == serverEventCount)
        #expect(link.server.isConnected)
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
