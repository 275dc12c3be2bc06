import CSFUSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many CPUs this process may run on: the default media worker count (one per core).
/// Reads the scheduler affinity mask (so `taskset` and container cpusets count), falling back
/// to the online CPU count; never less than 1. Foundation's `ProcessInfo` would do the same
/// but load Foundation into the process.
enum AvailableProcessors {
    static var count: Int {
        let allowed = Int(csfu_affinity_cpu_count())
        if allowed > 0 { return allowed }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
