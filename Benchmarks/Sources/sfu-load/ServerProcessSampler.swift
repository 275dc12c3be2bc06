import Foundation

/// Reads a process's CPU time and resident set from procfs (proc(5): /proc/PID/stat fields 14
/// and 15, /proc/PID/statm field 2). Used at the start and end of the measured window.
struct ProcessSample: Sendable {
    /// User + system CPU seconds consumed so far.
    var cpuSeconds: Double
    var rssBytes: Int

    static func read(pid: Int32) -> ProcessSample? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let statm = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8),
            // The command name may contain spaces and parentheses: fields start after the last ')'.
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ')': field 3 (state) is fields[0], so utime (14) is fields[11], stime (15) fields[12].
        guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let memory = statm.split(separator: " ")
        guard memory.count > 1, let residentPages = Int(memory[1]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessSample(
            cpuSeconds: (utime + stime) / (ticks > 0 ? ticks : 100),
            rssBytes: residentPages * Int(sysconf(Int32(_SC_PAGESIZE))))
    }

    /// This process (the load generator), from getrusage: user and system CPU seconds.
    static func selfCPU() -> (user: Double, system: Double) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return (
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        )
    }
    /// CPU seconds all processes of the machine spent busy so far (proc(5): /proc/stat "cpu"
    /// line, everything but idle and iowait), to tell how much other work shared the cores.
    static func machineBusyCPUSeconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 5 else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is inside user).
        let busy = fields.prefix(8).enumerated().filter { $0.offset != 3 && $0.offset != 4 }.reduce(0) { $0 + $1.element }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return busy / (ticks > 0 ? ticks : 100)
    }
}
