import Foundation
import Testing
@testable import MediaCore
@testable import SFUMedia

/// Our SDP against real WebRTC stacks: a Python script makes the peer, prints
/// its offer (or takes ours), and applies what we send back. Only loopback
/// candidates are used; no media flows.
///
/// aiortc runs whenever `python3 -c 'import aiortc'` works; Chromium (selenium
/// + /usr/bin/chromedriver, ~5 s) only with `SFU_CHROMIUM_TESTS=1`.
enum RealPeer {
    static let hasAiortc: Bool = (try? run(["-c", "import aiortc"], input: nil))?.status == 0
    static let hasChromium: Bool =
        ProcessInfo.processInfo.environment["SFU_CHROMIUM_TESTS"] == "1"
        && FileManager.default.fileExists(atPath: "/usr/bin/chromedriver")
        && (try? run(["-c", "import selenium"], input: nil))?.status == 0

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `python3 args` (from PATH: pyenv here); when `respond` is given, the script's stdout up to a
    /// `---END---` line is handed to it and its result written to the script's stdin.
    static func run(_ args: [String], input: String?, respond: ((String) throws -> String)? = nil) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        p.standardError = stderr
        try p.run()
        var collected = Data()
        if let respond {
            let marker = Data("---END---\n".utf8)
            while collected.range(of: marker) == nil {
                let chunk = stdout.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                collected.append(chunk)
            }
            if let r = collected.range(of: marker) {
                let first = String(decoding: collected[..<r.lowerBound], as: UTF8.self)
                collected = Data(collected[r.upperBound...])
                let reply = try respond(first)
                stdin.fileHandleForWriting.write(Data(reply.utf8))
            }
        } else if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
        }
        try? stdin.fileHandleForWriting.close()
        collected.append(stdout.fileHandleForReading.readDataToEndOfFile())
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: collected, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }

    static func script(_ source: String) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sfu-sdp-\(UInt32.random(in: 0...UInt32.max)).py")
        try source.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// aiortc offers audio+video sendrecv, applies our answer, prints each
    /// transceiver's negotiated direction and codec.
    static let aiortcOfferer = #"""
    import asyncio, sys
    from aiortc import RTCPeerConnection, RTCSessionDescription
    async def main():
        pc = RTCPeerConnection()
        pc.addTransceiver("audio", direction="sendrecv")
        pc.addTransceiver("video", direction="sendrecv")
        await pc.setLocalDescription(await pc.createOffer())
        print(pc.localDescription.sdp, end="")
        print("---END---", flush=True)
        answer = sys.stdin.read()
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
            for t in pc.getTransceivers():
                codecs = ",".join(c.mimeType for c in t._codecs)
                print(f"OK {t.mid} {t.currentDirection} {codecs}")
        except Exception as e:
            print(f"ERROR {type(e).__name__}: {e}")
        await pc.close()
    asyncio.run(main())
    """#

    /// aiortc answers our offer (max-bundle, as the design notes require for
    /// several videos) and prints its answer.
    static let aiortcAnswerer = #"""
    import asyncio, sys
    from aiortc import RTCPeerConnection, RTCSessionDescription, RTCConfiguration
    async def main():
        pc = RTCPeerConnection(RTCConfiguration(bundlePolicy="max-bundle"))
        offer = sys.stdin.read()
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
            print(pc.localDescription.sdp, end="")
        except Exception as e:
            print(f"ERROR {type(e).__name__}: {e}")
        await pc.close()
    asyncio.run(main())
    """#

    static let chromium = #"""
    import sys, json
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    mode = sys.argv[1]
    opts = webdriver.ChromeOptions()
    for a in ["--headless=new", "--no-sandbox", "--use-fake-device-for-media-stream",
              "--use-fake-ui-for-media-stream", "--disable-gpu"]:
        opts.add_argument(a)
    opts.binary_location = "/usr/bin/chromium"
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    d.set_script_timeout(30)
    try:
        d.get("about:blank")
        if mode == "offer":
            sdp = d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            (async () => {
              window.pc = new RTCPeerConnection();
              pc.addTransceiver('audio', {direction: 'sendonly'});
              pc.addTransceiver('video', {direction: 'sendonly', sendEncodings: [{rid: 'h'}, {rid: 'm', scaleResolutionDownBy: 2}, {rid: 'l', scaleResolutionDownBy: 4}]});
              pc.createDataChannel('chat');
              await pc.setLocalDescription(await pc.createOffer());
              done(pc.localDescription.sdp);
            })().catch(e => done('ERROR ' + e));
            """)
            print(sdp, end="")
            print("---END---", flush=True)
            answer = sys.stdin.read()
            print(d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            (async () => {
              await pc.setRemoteDescription({type: 'answer', sdp: arguments[0]});
              done(pc.getTransceivers().map(t => 'OK ' + t.mid + ' ' + t.currentDirection + ' ' +
                   t.sender.getParameters().codecs.map(c => c.mimeType).join(',')).join('\\n'));
            })().catch(e => done('ERROR ' + e));
            """, answer))
        else:
            offer = sys.stdin.read()
            print(d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            (async () => {
              const pc = new RTCPeerConnection();
              await pc.setRemoteDescription({type: 'offer', sdp: arguments[0]});
              await pc.setLocalDescription(await pc.createAnswer());
              done(pc.localDescription.sdp);
            })().catch(e => done('ERROR ' + e));
            """, offer))
    finally:
        d.quit()
    """#
}

@Suite("SDP against real peers")
struct SDPRealPeerTests {
    @Test(.enabled(if: RealPeer.hasAiortc), .timeLimit(.minutes(1)))
    func aiortcAcceptsOurAnswer() throws {
        var captured: NegotiationResult?
        let out = try RealPeer.run([try RealPeer.script(RealPeer.aiortcOfferer)], input: nil) { offerText in
            let offer = try SessionDescription.parse(offerText)
            let r = try SDPNegotiator.answer(
                offer: offer, local: testLocal, policy: CodecPolicy(), direction: .mirror,
                localSSRCs: ["0": (1111, nil), "1": (2222, 3333)], sessionID: 7, sessionVersion: 1)
            captured = r
            return r.answer.text
        }
        #expect(out.status == 0, "\(out.stderr)")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(!out.stdout.contains("ERROR"), "\(out.stdout)")
        #expect(lines == ["OK 0 sendrecv audio/opus", "OK 1 sendrecv video/VP8,video/rtx"])
        #expect(captured?.media.map(\.payloadType) == [96, 97])
    }

    @Test(.enabled(if: RealPeer.hasAiortc), .timeLimit(.minutes(1)))
    func aiortcAcceptsOurReceiveOnlyAnswer() throws {
        let out = try RealPeer.run([try RealPeer.script(RealPeer.aiortcOfferer)], input: nil) { offerText in
            try SDPNegotiator.answer(
                offer: SessionDescription.parse(offerText), local: testLocal, policy: CodecPolicy(),
                direction: .receiveOnly, localSSRCs: [:], sessionID: 7, sessionVersion: 1
            ).answer.text
        }
        #expect(out.stdout.split(separator: "\n") == ["OK 0 sendonly audio/opus", "OK 1 sendonly video/VP8,video/rtx"],
                "\(out.stdout) \(out.stderr)")
    }

    @Test(.enabled(if: RealPeer.hasChromium), .timeLimit(.minutes(1)))
    func chromiumAcceptsOurSimulcastAnswer() throws {
        let out = try RealPeer.run([try RealPeer.script(RealPeer.chromium), "offer"], input: nil) { offerText in
            try SDPNegotiator.answer(
                offer: SessionDescription.parse(offerText), local: testLocal, policy: CodecPolicy(),
                direction: .receiveOnly, localSSRCs: [:], sessionID: 7, sessionVersion: 1
            ).answer.text
        }
        #expect(!out.stdout.contains("ERROR"), "\(out.stdout) \(out.stderr)")
        let lines = out.stdout.split(separator: "\n").map(String.init)
        #expect(lines == ["OK 0 sendonly audio/opus", "OK 1 sendonly video/VP8,video/rtx"], "\(out.stdout)")
    }
}
