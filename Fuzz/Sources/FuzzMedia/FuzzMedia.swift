import Logging
import SFUMedia

/// A logger that stays quiet (only critical lines), for targets that build servers' parts.
public let fuzzLogger: Logger = {
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    return logger
}()

/// One media engine for the whole run (binding sockets per input would be slow): loopback,
/// ephemeral port, one worker. Nil if it cannot bind.
public let fuzzLoopbackEngine: MediaEngine? = {
    let configuration = MediaConfiguration(iceAddresses: ["127.0.0.1"], lowPort: 0, highPort: 0, workerCount: 1)
    let engine = try? MediaEngine(configuration: configuration, logger: fuzzLogger)
    engine?.start()
    return engine
}()
