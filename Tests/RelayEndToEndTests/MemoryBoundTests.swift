import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// The memory a client can make the built `relayd` hold with bodies it never finishes.
@Suite("Memory under stalled bodies (built relayd)")
struct MemoryBoundTests {
    static func residentKiB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
    }

    /// The documented bound (README "Limits and abuse"): resident memory grows by at most the body
    /// budget, plus 256 KiB per open connection, plus 32 MiB.
    @Test("200 connections stalled near the body limit: RSS grows by at most the body budget + 256 KiB a connection + 32 MiB")
    func stalledBodies() async throws {
        let daemon = try RelaydProcess()
        // One centre sends all 200, so its rate must not be what stops them.
        var yaml = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "centre: {per_second: 5, burst: 50}", with: "centre: {per_second: 1000, burst: 1000}")
        try yaml.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        try await daemon.start()
        let pid = daemon.process!.processIdentifier
        let dev = daemon.workspace.file("certs/dev")
        // Warm up: a few complete requests on fresh connections.
        for _ in 0..<5 {
            let warm = try await Curl.request("https://localhost:\(daemon.apiPort)/v1/whoami", ca: "\(dev)/ca.pem",
                                              clientCertificate: ("\(dev)/traveller-centre.pem", "\(dev)/traveller-centre.key"))
            #expect(warm.status == 200)
        }
        let before = try Self.residentKiB(pid)
        let output = try await Python.run("connections.py", ["stall", "\(daemon.apiPort)", "200", "1048000", "1000000", "\(pid)",
                                                             "--tls", "\(dev)/ca.pem", "\(dev)/traveller-centre.pem", "\(dev)/traveller-centre.key"])
        let result = try JSONParser.parse(Array(output.utf8))
        let during = Int(result["rss_kib"]?.numberValue ?? -1)
        let budgetKiB = 64 * 1024, connections = 200
        let bound = budgetKiB + connections * 256 + 32 * 1024
        print("stalled bodies: \(output.trimmingCharacters(in: .whitespacesAndNewlines)); RSS before \(before) KiB, growth \(during - before) KiB, bound \(bound) KiB")
        #expect(during > 0 && during - before <= bound, "RSS grew \(during - before) KiB; bound \(bound) KiB")
        #expect((result["sent_in_full"]?.numberValue ?? 0) >= 60, "the budget's worth of bodies was taken in: \(output)")
        let ready = try await Subprocess.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "5", "http://127.0.0.1:\(daemon.opsPort)/readyz"])
        #expect(ready.stdout == "200")
        try await daemon.stop()
    }
}
