import Benchmark
import ICE
import RTP
import SFUBase

// STUN on the ICE-lite path: parsing a connectivity check, verifying its MESSAGE-INTEGRITY and
// FINGERPRINT, and the whole agent step (verify + build the signed success response).
// Each iteration runs 1000 checks (scalingFactor .kilo); figures are per check.

let local = ICECredentials(ufrag: "srvUfrag", pwd: "serverpasswordserverpass")
let remote = ICECredentials(ufrag: "cliUfrag", pwd: "clientpasswordclientpass")
let peer = TransportAddress(ipv4: 0x7F00_0001, port: 50_000)

func connectivityCheck() -> [UInt8] {
    STUNMessage.encodeBindingRequest(
        transactionID: STUNTransactionID.random(), username: "\(local.ufrag):\(remote.ufrag)",
        password: local.pwd, priority: 2_130_706_431, useCandidate: true, iceControlling: 0x1234_5678,
        iceControlled: nil, software: nil, fingerprint: true)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1_000)

    Benchmark("STUN parse connectivity check") { benchmark in
        let check = connectivityCheck()
        var sum = 0
        benchmark.startMeasurement()
        check.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                if let message = try? STUNMessage(bytes) { sum &+= message.useCandidate ? 1 : 0 }
            }
        }
        benchmark.stopMeasurement()
        blackHole(sum)
    }

    Benchmark("STUN parse + MESSAGE-INTEGRITY + FINGERPRINT") { benchmark in
        let check = connectivityCheck()
        let key = Array(local.pwd.utf8)
        var valid = 0
        benchmark.startMeasurement()
        check.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                if let message = try? STUNMessage(bytes), message.verifyMessageIntegrity(key: key),
                    message.verifyFingerprint()
                {
                    valid &+= 1
                }
            }
        }
        benchmark.stopMeasurement()
        blackHole(valid)
    }

    Benchmark("ICE-lite agent: check in, signed response out") { benchmark in
        let check = connectivityCheck()
        var agent = ICELiteAgent(local: local, remote: remote, now: MonotonicInstant(nanoseconds: 0))
        let response = UnsafeMutableRawBufferPointer.allocate(byteCount: 512, alignment: 8)
        defer { response.deallocate() }
        var written = 0
        benchmark.startMeasurement()
        check.withUnsafeBytes { bytes in
            for iteration in benchmark.scaledIterations {
                written &+= agent.handleSTUN(
                    bytes, from: peer, now: MonotonicInstant(nanoseconds: UInt64(iteration)), response: response)
                while agent.pollEvent() != nil {}
            }
        }
        benchmark.stopMeasurement()
        blackHole(written)
    }
}
