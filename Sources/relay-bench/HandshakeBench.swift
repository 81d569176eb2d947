import ArgumentParser
import Foundation

/// New mutual-TLS handshakes against the built relayd: `openssl s_time -new` clients (an
/// independent TLS stack, each making one full handshake after another with a client
/// certificate) run for a fixed time; reports handshakes/s and the daemon's handshakes per
/// core-second of its own CPU (user + system, from /proc), the figure that does not depend on
/// how much of the shared machine the clients took.
struct HandshakeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handshakes", abstract: "New mutual-TLS handshakes per second and per daemon core-second (openssl s_time clients).")

    @Option(help: "The relayd binary (build it with `swift build -c release --product relayd`).") var relayd = ".build/release/relayd"
    @Option(help: "Seconds each run lasts.") var seconds = 10
    @Option(parsing: .upToNextOption, help: "Concurrent s_time clients, one run each.") var clients: [Int] = [1, 4]
    @Option(help: "TLS version the clients offer: 1.2 or 1.3.") var tls = "1.3"

    func run() async throws {
        let workspace = try temporaryDatabase("handshakes")
        let directory = (workspace as NSString).deletingLastPathComponent
        let daemon = try BenchDaemon(binary: relayd, directory: directory)
        defer { daemon.stop() }
        let dev = "\(directory)/certs/dev"
        try await daemon.waitForFile("\(dev)/traveller-centre.key")
        try await Task.sleep(for: .seconds(1))
        // The baseline, measured in the same run: `openssl s_server` with the same certificates,
        // requiring and verifying a client certificate, on the next port.
        let baselinePort = daemon.apiPort + 2
        let baseline = Process()
        baseline.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        baseline.arguments = ["s_server", "-accept", String(baselinePort), "-cert", "\(dev)/server.pem", "-key", "\(dev)/server.key",
                              "-CAfile", "\(dev)/ca.pem", "-Verify", "1", "-quiet", "-naccept", "1000000"]
        baseline.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        baseline.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try baseline.run()
        defer { baseline.terminate() }
        try await Task.sleep(for: .milliseconds(500))
        print("relay-bench handshakes: TLS \(tls), \(seconds) s per run, relayd pid \(daemon.pid), baseline openssl s_server pid \(baseline.processIdentifier)")
        print("server          clients  handshakes   handshakes/s   server CPU s   per server core-second")
        for count in clients {
            var perCore: [Double] = []
            for (name, port, pid) in [("relayd", daemon.apiPort, daemon.pid), ("openssl s_server", baselinePort, baseline.processIdentifier)] {
                let before = processCPUSeconds(pid)
                let results = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<count {
                        group.addTask { try Self.sTime(port: port, dev: dev, seconds: seconds, tls: tls) }
                    }
                    return try await group.reduce(0, +)
                }
                let cpu = processCPUSeconds(pid) - before
                perCore.append(cpu > 0 ? Double(results) / cpu : 0)
                print(name.padding(toLength: 16, withPad: " ", startingAt: 0)
                      + String(format: "%7d %11d %14.0f %14.2f %24.0f", count, results, Double(results) / Double(seconds), cpu, perCore.last!))
            }
            print(String(format: "  relayd / s_server per core-second at %d client(s): %.2f", count, perCore[1] > 0 ? perCore[0] / perCore[1] : 0))
        }
        baseline.terminate()
        daemon.finish()
    }

    /// One `openssl s_time -new` run; the number of connections it completed.
    static func sTime(port: Int, dev: String, seconds: Int, tls: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_time", "-connect", "127.0.0.1:\(port)", "-new", "-time", String(seconds), "-CAfile", "\(dev)/ca.pem",
                             "-cert", "\(dev)/traveller-centre.pem", "-key", "\(dev)/traveller-centre.key", tls == "1.2" ? "-tls1_2" : "-tls1_3"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // "1234 connections in 10.01s; ..." then "1234 connections in 11 real seconds, ..."
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.contains("connections in") && $0.contains("real seconds") }),
              let count = Int(line.split(separator: " ").first ?? "") else {
            throw ValidationError("openssl s_time gave no count:\n\(text)")
        }
        return count
    }
}
