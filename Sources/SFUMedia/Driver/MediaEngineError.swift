import Glibc

public enum MediaEngineError: Error, CustomStringConvertible {
    case systemCall(String, Int32)
    case noICEAddress
    case portRangeTooSmall(needed: Int, available: Int)

    public var description: String {
        switch self {
        case .systemCall(let name, let code): return "\(name) failed: \(String(cString: strerror(code)))"
        case .noICEAddress: return "no ICE address configured"
        case .portRangeTooSmall(let needed, let available):
            return "media port range has \(available) ports, \(needed) media workers need one each"
        }
    }
}
