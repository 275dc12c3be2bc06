import DTLS
import ICE

/// A transport reserved on a worker, before and while it runs.
public struct TransportAllocation: Sendable, Hashable {
    package init(
        id: UInt64, workerIndex: Int, localCredentials: ICECredentials, candidates: [LocalCandidateAddress],
        fingerprint: DTLSFingerprint
    ) {
        self.id = id
        self.workerIndex = workerIndex
        self.localCredentials = localCredentials
        self.candidates = candidates
        self.fingerprint = fingerprint
    }

    public let id: UInt64
    public let workerIndex: Int
    public let localCredentials: ICECredentials
    public let candidates: [LocalCandidateAddress]
    public let fingerprint: DTLSFingerprint

    package func withLocalCredentials(_ credentials: ICECredentials) -> TransportAllocation {
        TransportAllocation(
            id: id, workerIndex: workerIndex, localCredentials: credentials, candidates: candidates,
            fingerprint: fingerprint)
    }
}
