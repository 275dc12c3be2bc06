import DTLS
import ICE
import Logging
import SFUBase

/// The media plane without sockets or threads, for the in-memory network harness: the same
/// workers, transports, rings and commands as in production, with datagrams handed in and out
/// as bytes and every step run by the caller at the time it chooses. What a worker's loop does
/// on its thread, `driveWorkers(now:)` and `receive(_:from:to:now:)` do here, in the same order.
///
/// Confined to one thread (the harness's): the workers' thread confinement holds because
/// nothing else runs them.
extension MediaEngine {
    /// A media plane whose workers "listen" on `configuration.iceAddresses` at ports
    /// `lowPort + i` (nothing is bound) and hand every datagram they send to `deliver` as
    /// `(from, to, bytes)`. Nothing runs until the caller drives it.
    @_spi(ManualDrive)
    public convenience init(
        inMemory configuration: MediaConfiguration, certificate: DTLSCertificate? = nil,
        unixTimeAtMonotonicZero: UInt64 = 1_700_000_000_000_000_000, logger: Logger,
        deliver: @escaping @Sendable (TransportAddress, TransportAddress, UnsafeRawBufferPointer) -> Void
    ) throws {
        let workerCount = max(1, configuration.workerCount)
        var workers: [MediaWorker] = []
        for index in 0..<workerCount {
            let port = configuration.lowPort &+ UInt16(index)
            let addresses = configuration.iceAddresses.compactMap { TransportAddress($0, port: port) }
            guard addresses.count == configuration.iceAddresses.count else { throw MediaEngineError.noICEAddress }
            workers.append(
                MediaWorker(
                    index: index, localAddresses: addresses, unixTimeAtMonotonicZero: unixTimeAtMonotonicZero,
                    logger: logger, deliver: { socket, destination, bytes in deliver(addresses[socket], destination, bytes) }))
        }
        try self.init(configuration: configuration, workers: workers, certificate: certificate, logger: logger)
    }

    /// One turn of every worker's loop without receiving: queued commands, packets handed over
    /// by other workers, timers when a tick is due, sends.
    @_spi(ManualDrive)
    public func driveWorkers(now: MonotonicInstant) {
        for worker in workers { worker.commands.drain(into: worker.core, now: now) }
        for worker in workers { worker.core.runPending(now: now) }
    }

    /// One datagram from `source` arriving at the worker listening on `destination` (dropped
    /// when none does), received as a batch of one.
    @_spi(ManualDrive)
    public func receive(_ datagram: [UInt8], from source: TransportAddress, to destination: TransportAddress,
                        now: MonotonicInstant) {
        guard datagram.count <= DatagramOutbox.bufferSize,
            let worker = workers.first(where: { $0.localAddresses.contains(destination) }),
            let socket = worker.localAddresses.firstIndex(of: destination)
        else { return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: DatagramOutbox.bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        datagram.withUnsafeBytes { buffer.copyMemory(from: $0) }
        worker.statistics.datagramsReceived.add(1, ordering: .relaxed)
        worker.statistics.bytesReceived.add(datagram.count, ordering: .relaxed)
        worker.core.receive(buffer, length: datagram.count, from: source, socketIndex: socket, now: now)
        worker.core.finishReceiveBatch(now: now)
    }
}
