import Synchronization

extension MediaStatistics {
    /// Adds one worker's loss, repair and byte counters (relaxed reads).
    mutating func add(_ worker: WorkerStatistics) {
        bytesReceived += worker.bytesReceived.load(ordering: .relaxed)
        bytesSent += worker.bytesSent.load(ordering: .relaxed)
        slabExhaustedDrops += worker.slabExhaustedDrops.load(ordering: .relaxed)
        srtpAuthenticationFailures += worker.srtpAuthenticationFailures.load(ordering: .relaxed)
        srtpReplays += worker.srtpReplays.load(ordering: .relaxed)
        srtpOtherDrops += worker.srtpOtherDrops.load(ordering: .relaxed)
        nacksReceived += worker.nacksReceived.load(ordering: .relaxed)
        nacksSent += worker.nacksSent.load(ordering: .relaxed)
        retransmissionsSent += worker.retransmissionsSent.load(ordering: .relaxed)
        keyframeRequestsReceived += worker.keyframeRequestsReceived.load(ordering: .relaxed)
        keyframeRequestsSent += worker.keyframeRequestsSent.load(ordering: .relaxed)
        bandwidthLayerChanges += worker.bandwidthLayerChanges.load(ordering: .relaxed)
        bandwidthPauses += worker.bandwidthPauses.load(ordering: .relaxed)
        bandwidthProbes += worker.bandwidthProbes.load(ordering: .relaxed)
        for failure in TransportFailure.allCases {
            failures[failure, default: 0] += worker.failureCount(failure)
        }
    }
}

extension WorkerStatistics {
    func failureCount(_ failure: TransportFailure) -> Int {
        switch failure {
        case .iceFailed: iceFailures.load(ordering: .relaxed)
        case .dtlsAlert: dtlsAlerts.load(ordering: .relaxed)
        case .dtlsError: dtlsErrors.load(ordering: .relaxed)
        case .dtlsTimeout: dtlsTimeouts.load(ordering: .relaxed)
        case .srtpStackError: srtpSetupFailures.load(ordering: .relaxed)
        }
    }
}
