import Testing
@testable import MediaCore
@testable import SFUMedia

/// Inputs found by the libFuzzer targets in Fuzz/ (scripts/fuzz.sh), minimised.
@Suite("SDP fuzz regressions")
struct SDPFuzzRegressionTests {
    /// fuzz-sdp: an unparseable session-level c= after a second t= line. The serializer puts
    /// it before t=, so the re-parsed model had its extra lines in another order.
    @Test(arguments: [
        "v=0\no=- \u{FFFD} 1 I 4 -\nt=\nt=\nc=",
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nt=1 2\r\nr=7d 1h 0 25h\r\nc=bogus\r\ni=info\r\n",
    ])
    func extraLinesAfterTimingRoundTrip(text: String) throws {
        let sdp = try SessionDescription.parse(text)
        let again = try SessionDescription.parse(sdp.text)
        #expect(again == sdp)
        #expect(again.text == sdp.text)
    }
}
