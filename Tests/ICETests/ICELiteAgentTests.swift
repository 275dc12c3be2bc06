import RTP
import SFUBase
import Testing

@testable import ICE

/// What a test needs to know about one response, copied out of the borrowed view.
struct ResponseSummary {
    var type: STUNMessageType
    var transactionID: STUNTransactionID
    var errorCode: UInt16?
    var xorMappedAddress: TransportAddress?
    var hasIntegrity: Bool
    var hasIntegritySHA256: Bool
    var integrityValid: Bool
    var fingerprintValid: Bool
    var unknownAttributes: [UInt16]?
}

/// A browser-like peer on virtual time talking to an `ICELiteAgent`.
final class AgentHarness {
    static let local = ICECredentials(ufrag: "srvU", pwd: "serverpassword0123456789")
    static let remote = ICECredentials(ufrag: "cliU", pwd: "clientpassword0123456789")
    static let peer = TransportAddress(ipv4: 0xC0A8_0102, port: 54321)  // 192.168.1.2
    static let start = MonotonicInstant(nanoseconds: 1_000_000_000)

    var agent: ICELiteAgent
    var now: MonotonicInstant = start

    init(remote: ICECredentials? = AgentHarness.remote, consentTimeout: Double = 30) {
        agent = ICELiteAgent(local: Self.local, remote: remote, now: Self.start, consentTimeout: consentTimeout)
    }

    func advance(seconds: Double) {
        now = now.adding(seconds: seconds)
        agent.handleTimeout(now: now)
    }

    /// A check as a controlling browser sends it.
    static func check(
        username: String? = "srvU:cliU", password: String? = local.pwd, useCandidate: Bool = false,
        controlling: Bool = true, transactionID: STUNTransactionID = .random()
    ) -> [UInt8] {
        STUNMessage.encodeBindingRequest(
            transactionID: transactionID, username: username, password: password, priority: 1_853_817_087,
            useCandidate: useCandidate, iceControlling: controlling ? 0x1122_3344_5566_7788 : nil,
            iceControlled: controlling ? nil : 0x1122_3344_5566_7788)
    }

    /// Feeds `datagram` and returns the parsed response (nil when the agent stays silent).
    func send(_ datagram: [UInt8], from: TransportAddress = peer, verifyWith password: String = local.pwd)
        -> ResponseSummary?
    {
        var response = [UInt8](repeating: 0, count: 1500)
        let now = self.now
        let length = datagram.withUnsafeBytes { raw in
            response.withUnsafeMutableBytes { agent.handleSTUN(raw, from: from, now: now, response: $0) }
        }
        guard length > 0 else { return nil }
        return try? withParsed(Array(response.prefix(length))) { message in
            ResponseSummary(
                type: message.messageType, transactionID: message.transactionID, errorCode: message.errorCode?.code,
                xorMappedAddress: message.xorMappedAddress, hasIntegrity: message.hasMessageIntegrity,
                hasIntegritySHA256: message.hasMessageIntegritySHA256,
                integrityValid: message.verifyMessageIntegrity(password: password),
                fingerprintValid: message.verifyFingerprint(), unknownAttributes: message.unknownAttributes)
        }
    }

    func events() -> [ICEAgentEvent] {
        var result: [ICEAgentEvent] = []
        while let event = agent.pollEvent() { result.append(event) }
        return result
    }
}

@Suite struct ICELiteAgentTests {
    @Test func validCheckGetsSuccessResponse() throws {
        let harness = AgentHarness()
        let id = STUNTransactionID.random()
        let response = try #require(harness.send(AgentHarness.check(transactionID: id)))
        #expect(response.type == .bindingSuccessResponse)
        #expect(response.transactionID == id)
        #expect(response.xorMappedAddress == AgentHarness.peer)
        #expect(response.hasIntegrity)
        #expect(response.integrityValid)
        #expect(response.fingerprintValid)
        #expect(harness.agent.state == .new)
        #expect(harness.agent.selectedAddress == nil)
        #expect(harness.agent.lastCheckAddress == AgentHarness.peer)
        #expect(harness.events().isEmpty)
    }

    @Test func ipv6SourceIsReflected() throws {
        let harness = AgentHarness()
        let source = try #require(TransportAddress("2001:db8::42", port: 40000))
        let response = try #require(harness.send(AgentHarness.check(useCandidate: true), from: source))
        #expect(response.xorMappedAddress == source)
        #expect(response.integrityValid)
        #expect(harness.agent.selectedAddress == source)
    }

    @Test func wrongPasswordGets401WithoutIntegrity() throws {
        let harness = AgentHarness()
        let response = try #require(harness.send(AgentHarness.check(password: "not-the-password-at-all")))
        #expect(response.type == .bindingErrorResponse)
        #expect(response.errorCode == 401)
        #expect(!response.hasIntegrity)
        #expect(response.fingerprintValid)
        #expect(harness.agent.lastCheckAddress == nil)
    }

    @Test func missingUsernameGets400() throws {
        let harness = AgentHarness()
        let response = try #require(harness.send(AgentHarness.check(username: nil)))
        #expect(response.errorCode == 400)
        #expect(!response.hasIntegrity)
    }

    @Test func missingIntegrityGets400() throws {
        let harness = AgentHarness()
        let response = try #require(harness.send(AgentHarness.check(password: nil)))
        #expect(response.errorCode == 400)
    }

    @Test func wrongUfragGets401() throws {
        let harness = AgentHarness()
        #expect(harness.send(AgentHarness.check(username: "xxxx:cliU"))?.errorCode == 401)
        #expect(harness.send(AgentHarness.check(username: "srvU:other"))?.errorCode == 401)
        #expect(harness.send(AgentHarness.check(username: "srvU"))?.errorCode == 401)
        #expect(harness.send(AgentHarness.check(username: "srvUx:cliU"))?.errorCode == 401)
        #expect(harness.send(AgentHarness.check(username: "srvU:cliU"))?.type == .bindingSuccessResponse)
    }

    @Test func remoteUfragCheckedOnlyOnceKnown() throws {
        let harness = AgentHarness(remote: nil)
        #expect(harness.send(AgentHarness.check(username: "srvU:anything"))?.type == .bindingSuccessResponse)
        harness.agent.setRemoteCredentials(AgentHarness.remote)
        #expect(harness.send(AgentHarness.check(username: "srvU:anything"))?.errorCode == 401)
        #expect(harness.send(AgentHarness.check(username: "srvU:cliU"))?.type == .bindingSuccessResponse)
    }

    @Test func nominationSelectsAndChangesAddress() throws {
        let harness = AgentHarness()
        #expect(harness.send(AgentHarness.check(useCandidate: false)) != nil)
        #expect(harness.events().isEmpty)

        #expect(harness.send(AgentHarness.check(useCandidate: true))?.type == .bindingSuccessResponse)
        #expect(harness.agent.selectedAddress == AgentHarness.peer)
        #expect(harness.agent.state == .connected)
        #expect(harness.events() == [.selected(AgentHarness.peer)])

        // Re-nominating the same pair reports nothing new.
        _ = harness.send(AgentHarness.check(useCandidate: true))
        #expect(harness.events().isEmpty)

        // A check without USE-CANDIDATE from elsewhere does not move media.
        let other = TransportAddress(ipv4: 0x0A00_0005, port: 6000)
        _ = harness.send(AgentHarness.check(useCandidate: false), from: other)
        #expect(harness.agent.selectedAddress == AgentHarness.peer)
        #expect(harness.events().isEmpty)

        // The latest nomination wins.
        _ = harness.send(AgentHarness.check(useCandidate: true), from: other)
        #expect(harness.agent.selectedAddress == other)
        #expect(harness.events() == [.selected(other)])
    }

    @Test func unauthenticatedNominationIsIgnored() {
        let harness = AgentHarness()
        _ = harness.send(AgentHarness.check(password: "wrong-password-wrong-password", useCandidate: true))
        #expect(harness.agent.selectedAddress == nil)
        #expect(harness.events().isEmpty)
    }

    @Test func consentExpiresAfter30SecondsButNotBefore() {
        let harness = AgentHarness()
        _ = harness.send(AgentHarness.check(useCandidate: true))
        _ = harness.events()
        #expect(harness.agent.nextTimeout() == AgentHarness.start.adding(seconds: 30))
        harness.advance(seconds: 29.999)
        #expect(harness.events().isEmpty)
        #expect(harness.agent.state == .connected)
        harness.advance(seconds: 0.001)
        #expect(harness.events() == [.consentExpired])
        #expect(harness.agent.state == .failed)
        #expect(harness.agent.nextTimeout() == nil)
        harness.advance(seconds: 60)
        #expect(harness.events().isEmpty)
        // A late check is answered but does not revive the agent.
        #expect(harness.send(AgentHarness.check(useCandidate: true))?.type == .bindingSuccessResponse)
        #expect(harness.agent.state == .failed)
        #expect(harness.events().isEmpty)
    }

    @Test func consentExpiresWhenNoCheckEverArrives() {
        let harness = AgentHarness()
        harness.advance(seconds: 29)
        #expect(harness.events().isEmpty)
        harness.advance(seconds: 1)
        #expect(harness.events() == [.consentExpired])
    }

    @Test func consentKeptAliveByChecks() {
        let harness = AgentHarness()
        _ = harness.send(AgentHarness.check(useCandidate: true))
        _ = harness.events()
        for _ in 0..<40 {
            harness.advance(seconds: 5)
            _ = harness.send(AgentHarness.check())
            #expect(harness.events().isEmpty)
        }
        #expect(harness.agent.state == .connected)
        harness.advance(seconds: 29.9)
        #expect(harness.events().isEmpty)
        harness.advance(seconds: 0.1)
        #expect(harness.events() == [.consentExpired])
    }

    @Test func checksFromOtherAddressesDoNotRefreshSelectedConsent() {
        let harness = AgentHarness()
        _ = harness.send(AgentHarness.check(useCandidate: true))
        _ = harness.events()
        let other = TransportAddress(ipv4: 0x0A00_0005, port: 6000)
        for _ in 0..<6 {
            harness.advance(seconds: 5)
            _ = harness.send(AgentHarness.check(), from: other)
        }
        #expect(harness.events() == [.consentExpired])
    }

    @Test func failedChecksDoNotRefreshConsent() {
        let harness = AgentHarness()
        _ = harness.send(AgentHarness.check(useCandidate: true))
        _ = harness.events()
        for _ in 0..<6 {
            harness.advance(seconds: 5)
            _ = harness.send(AgentHarness.check(password: "forged-forged-forged-forged"))
        }
        #expect(harness.events() == [.consentExpired])
    }

    @Test func iceRestartRejectsOldCredentials() throws {
        let harness = AgentHarness()
        _ = harness.send(AgentHarness.check(useCandidate: true))
        _ = harness.events()
        let newLocal = ICECredentials(ufrag: "newS", pwd: "newserverpassword0123456")
        let newRemote = ICECredentials(ufrag: "newC", pwd: "newclientpassword0123456")
        harness.agent.restart(local: newLocal, remote: newRemote)
        // Media keeps flowing on the old pair until a new nomination.
        #expect(harness.agent.selectedAddress == AgentHarness.peer)
        #expect(harness.agent.state == .connected)

        #expect(harness.send(AgentHarness.check())?.errorCode == 401)
        #expect(harness.send(AgentHarness.check(username: "newS:cliU", password: newLocal.pwd))?.errorCode == 401)
        let response = try #require(
            harness.send(AgentHarness.check(username: "newS:newC", password: newLocal.pwd, useCandidate: true), verifyWith: newLocal.pwd))
        #expect(response.type == .bindingSuccessResponse)
        #expect(response.integrityValid)
    }

    @Test func iceRestartAfterFailureStartsOver() {
        let harness = AgentHarness()
        harness.advance(seconds: 30)
        #expect(harness.events() == [.consentExpired])
        let newLocal = ICECredentials(ufrag: "newS", pwd: "newserverpassword0123456")
        harness.agent.restart(local: newLocal, remote: nil)
        #expect(harness.agent.state == .new)
        #expect(harness.agent.selectedAddress == nil)
        // The consent timer restarts at the next clock reading.
        harness.advance(seconds: 1)
        #expect(harness.events().isEmpty)
        harness.advance(seconds: 29.5)
        #expect(harness.events().isEmpty)
        _ = harness.send(AgentHarness.check(username: "newS:x", password: newLocal.pwd, useCandidate: true))
        #expect(harness.agent.state == .connected)
        #expect(harness.events() == [.selected(AgentHarness.peer)])
    }

    @Test func bothControlledGets487() throws {
        let harness = AgentHarness()
        let response = try #require(harness.send(AgentHarness.check(useCandidate: true, controlling: false)))
        #expect(response.errorCode == 487)
        #expect(response.integrityValid)
        #expect(response.fingerprintValid)
        #expect(harness.agent.selectedAddress == nil)
    }

    @Test func unknownComprehensionRequiredAttributeGets420() throws {
        var storage = [UInt8](repeating: 0, count: 256)
        let length = storage.withUnsafeMutableBytes { raw -> Int? in
            var builder = STUNMessageBuilder(buffer: raw, type: .bindingRequest, transactionID: .random())
            builder.appendUsername("srvU:cliU")
            builder.appendAttribute(type: 0x0033, text: "??")
            builder.appendMessageIntegrity(key: Array(AgentHarness.local.pwd.utf8))
            builder.appendFingerprint()
            return builder.finish()
        }
        let harness = AgentHarness()
        let response = try #require(harness.send(try built(storage, length)))
        #expect(response.errorCode == 420)
        #expect(response.unknownAttributes == [0x0033])
        #expect(response.integrityValid)
    }

    @Test func sha256OnlyCheckIsAnsweredInKind() throws {
        var storage = [UInt8](repeating: 0, count: 256)
        let length = storage.withUnsafeMutableBytes { raw -> Int? in
            var builder = STUNMessageBuilder(buffer: raw, type: .bindingRequest, transactionID: .random())
            builder.appendUsername("srvU:cliU")
            Array(AgentHarness.local.pwd.utf8).withUnsafeBytes { builder.appendMessageIntegritySHA256(key: $0) }
            builder.appendFingerprint()
            return builder.finish()
        }
        let harness = AgentHarness()
        let response = try #require(harness.send(try built(storage, length)))
        #expect(response.type == .bindingSuccessResponse)
        #expect(response.hasIntegritySHA256)
        #expect(!response.hasIntegrity)
        #expect(response.integrityValid)
    }

    @Test func badFingerprintIsDroppedSilently() {
        var check = AgentHarness.check()
        check[check.count - 1] ^= 0xFF
        let harness = AgentHarness()
        #expect(harness.send(check) == nil)
    }

    @Test func checkWithoutFingerprintIsAccepted() {
        let harness = AgentHarness()
        let check = STUNMessage.encodeBindingRequest(username: "srvU:cliU", password: AgentHarness.local.pwd, fingerprint: false)
        #expect(harness.send(check)?.type == .bindingSuccessResponse)
    }

    @Test func indicationsAndResponsesAreIgnored() {
        let harness = AgentHarness()
        #expect(harness.send(STUNMessage.encodeBindingIndication()) == nil)
        let unsolicited = STUNMessage.encodeBindingSuccess(
            transactionID: .random(), mappedAddress: AgentHarness.peer, password: AgentHarness.local.pwd)
        #expect(harness.send(unsolicited) == nil)
        #expect(harness.send(RFC5769.ipv4Response) == nil)
    }

    @Test func malformedRequestGets400() throws {
        // A valid header whose attribute runs past the end.
        let bytes: [UInt8] = [0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42] + [UInt8](repeating: 9, count: 12)
            + [0x00, 0x06, 0x00, 0x10]
        let harness = AgentHarness()
        let response = try #require(harness.send(bytes))
        #expect(response.errorCode == 400)
        #expect(response.transactionID == STUNTransactionID(word0: 0x0909_0909, word1: 0x0909_0909, word2: 0x0909_0909))
    }

    @Test func nonBindingRequestGets400() throws {
        var storage = [UInt8](repeating: 0, count: 128)
        let length = storage.withUnsafeMutableBytes { raw -> Int? in
            let allocate = STUNMessageType(method: STUNMethod(rawValue: 0x003), messageClass: .request)
            var builder = STUNMessageBuilder(buffer: raw, type: allocate, transactionID: .random())
            builder.appendUsername("srvU:cliU")
            builder.appendMessageIntegrity(key: Array(AgentHarness.local.pwd.utf8))
            return builder.finish()
        }
        let harness = AgentHarness()
        #expect(harness.send(try built(storage, length))?.errorCode == 400)
    }

    @Test func tooSmallResponseBufferSendsNothing() {
        var agent = ICELiteAgent(local: AgentHarness.local, remote: AgentHarness.remote, now: AgentHarness.start)
        let check = AgentHarness.check(useCandidate: true)
        var small = [UInt8](repeating: 0, count: 40)
        let length = check.withUnsafeBytes { raw in
            small.withUnsafeMutableBytes { agent.handleSTUN(raw, from: AgentHarness.peer, now: AgentHarness.start, response: $0) }
        }
        #expect(length == 0)
        // The check itself still counted.
        #expect(agent.selectedAddress == AgentHarness.peer)
    }

    @Test func nonSTUNIsIgnored() {
        let harness = AgentHarness()
        #expect(harness.send([0x80, 0x60, 0x00, 0x01] + [UInt8](repeating: 0, count: 20)) == nil)
        #expect(harness.send([0x16, 0xfe, 0xfd] + [UInt8](repeating: 0, count: 20)) == nil)
        #expect(harness.send([]) == nil)
    }
}

@Suite struct ICECredentialsTests {
    @Test func randomCredentialsAreValidAndDistinct() {
        var seen = Set<ICECredentials>()
        for _ in 0..<100 {
            let credentials = ICECredentials.random()
            #expect(credentials.ufrag.count >= 4)
            #expect(credentials.pwd.count >= 22)
            #expect(ICECredentials.isValid(credentials.ufrag, minimumLength: 4))
            #expect(ICECredentials.isValid(credentials.pwd, minimumLength: 22))
            seen.insert(credentials)
        }
        #expect(seen.count == 100)
        #expect(!ICECredentials.isValid("ab:cd", minimumLength: 4))
        #expect(!ICECredentials.isValid("abc", minimumLength: 4))
    }
}
