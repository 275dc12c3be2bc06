import SDPTestFixtures
import Testing
import TestSupport
@testable import MediaCore
@testable import SFUMedia


/// Random edits of real SDPs: the parser and the negotiator must never trap,
/// and whatever parses must survive a serialize/parse round trip unchanged.
@Suite("SDP random mutations")
struct SDPFuzzTests {
    static let alphabet: [Character] = Array("0123456789 :/;=,~*-.abcxyzAVP\t")
    static let tokens = [
        " ", ":", "a=", "m=", "0", "-1", "65536", "4294967296", "/", ";", "~", "=", "a=rtpmap:", "a=ssrc:",
        "a=simulcast:", "a=rid:", "a=extmap:", "a=fmtp:", "a=rtcp-fb:", "a=candidate:", "a=group:BUNDLE ",
        "a=mid:", "send ", "recv ", "IN IP4 ", "\n", "é", "\u{301}", "\r", "",
    ]

    static func mutate(_ text: String, rng: inout SplitMix64, ascii: Bool) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let edits = Int.random(in: 1...4, using: &rng)
        for _ in 0..<edits where !lines.isEmpty {
            let i = Int.random(in: 0..<lines.count, using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: lines.remove(at: i)
            case 1: lines.insert(lines[i], at: Int.random(in: 0...lines.count, using: &rng))
            case 2: lines.swapAt(i, Int.random(in: 0..<lines.count, using: &rng))
            case 3: lines[i] = String(lines[i].prefix(Int.random(in: 0...max(0, lines[i].count), using: &rng)))
            case 4 where !lines[i].isEmpty:
                var chars = Array(lines[i])
                let j = Int.random(in: 0..<chars.count, using: &rng)
                chars[j] = alphabet.randomElement(using: &rng) ?? "x"
                lines[i] = String(chars)
            case 5:
                var chars = Array(lines[i])
                var token = tokens.randomElement(using: &rng) ?? ""
                if ascii { token = String(token.unicodeScalars.filter(\.isASCII).map(Character.init)) }
                chars.insert(contentsOf: token, at: Int.random(in: 0...chars.count, using: &rng))
                lines[i] = String(chars)
            case 6:
                let value = lines[i].split(separator: " ")
                lines[i] = value.shuffled(using: &rng).joined(separator: " ")
            default:
                lines[i] += String(tokens.randomElement(using: &rng) ?? "")
            }
        }
        return lines.joined(separator: Bool.random(using: &rng) ? "\n" : "\r\n")
    }

    @Test(arguments: SDPFixtures.all.map(\.name))
    func mutationsNeverTrap(name: String) throws {
        let fixture = try #require(SDPFixtures.all.first { $0.name == name }).sdp
        var rng = SplitMix64(state: UInt64(truncatingIfNeeded: name.utf8.reduce(7) { $0 &* 31 &+ Int($1) }))
        var parsed = 0
        var answered = 0
        for iteration in 0..<500 {
            let ascii = iteration % 4 != 0
            let text = Self.mutate(fixture, rng: &rng, ascii: ascii)
            guard let sdp = try? SessionDescription.parse(text) else { continue }
            parsed += 1
            let again = try? SessionDescription.parse(sdp.text)
            if ascii {
                let same = again == sdp
                #expect(same, "round trip changed the model for:\n\(text)")
            }
            for direction in [AnswerDirection.receiveOnly, .mirror] {
                if let r = try? SDPNegotiator.answer(
                    offer: sdp, local: testLocal, policy: CodecPolicy(), direction: direction,
                    localSSRCs: ["0": (1, 2), "1": (3, 4)], sessionID: 1, sessionVersion: 1)
                {
                    answered += 1
                    #expect(r.media.count == sdp.media.count)
                    let reparsed = (try? SessionDescription.parse(r.answer.text)) == r.answer
                    #expect(reparsed)
                }
            }
        }
        // The mutations are mild enough that most inputs still parse and get answered.
        #expect(parsed > 150)
        #expect(answered > 100)
    }
}
