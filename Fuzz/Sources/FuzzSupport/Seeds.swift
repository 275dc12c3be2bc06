#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seed corpus generation. Every fuzz target defines `LLVMFuzzerInitialize` and calls
/// `FuzzSeeds.writeIfRequested` with its seeds: run the target with `FUZZ_WRITE_SEEDS=<dir>`
/// and it writes them there (one file each) and exits.
public enum FuzzSeeds {
    public static func writeIfRequested(_ seeds: @autoclosure () -> [(name: String, bytes: [UInt8])]) {
        guard let dir = getenv("FUZZ_WRITE_SEEDS").map({ String(cString: $0) }), !dir.isEmpty else { return }
        mkdir(dir, 0o755)
        var count = 0
        for seed in seeds() {
            let path = dir + "/" + seed.name
            guard let file = fopen(path, "wb") else {
                print("cannot write \(path)")
                exit(1)
            }
            _ = seed.bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
            count += 1
        }
        print("wrote \(count) seeds to \(dir)")
        exit(0)
    }
}

extension String {
    /// UTF-8 bytes of the string.
    public var bytes: [UInt8] { Array(utf8) }
}
