import ArgumentParser
import Crypto
import Foundation
import NIOConcurrencyHelpers
import RelayClient
import RelayCore

/// End to end over real mutual TLS: starts the release `relayd` on a fresh workspace (its own
/// development PKI and SQLite file), seals N distinct reports before the clock starts, then
/// submits them from C keep-alive connections and reports accepted submits/s, latency
/// percentiles and the daemon's CPU (user + system) per accepted submit.
struct HTTPBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http", abstract: "Submits over mutual TLS against the built relayd: throughput, latency, daemon CPU per submit.")

    @Option(help: "The relayd binary (build it with `swift build -c release --product relayd`).") var relayd = ".build/release/relayd"
    @Option(help: "Reports submitted per concurrency level.") var reports = 2000
    @Option(parsing: .upToNextOption, help: "Concurrent keep-alive connections, one run each.") var connections: [Int] = [1, 8, 32]
    @Option(help: "Seed report the submissions are made from (names, ids and narrative varied per report).")
    var seed = "seeds/traveller-centre/01-verbal-abuse-bus-stop.json"
    @Option(help: "Narrative length in bytes (the seed's narrative is extended to it).") var narrativeBytes = 4096
    @Option(help: "Intake workers that then lease (pages of 50) and acknowledge everything submitted; 0 to skip.") var leaseWorkers = 8

    func run() async throws {
        let workspace = try temporaryDatabase("http")  // .../relay.sqlite inside a fresh directory
        let directory = (workspace as NSString).deletingLastPathComponent
        let daemon = try BenchDaemon(binary: relayd, directory: directory)
        defer { daemon.stop() }
        let centre = "traveller-centre"
        let profile = ClientProfile(server: "https://localhost:\(daemon.apiPort)", certificate: "\(directory)/certs/dev/\(centre).pem",
                                    privateKey: "\(directory)/certs/dev/\(centre).key", caBundle: "\(directory)/certs/dev/ca.pem",
                                    stateDirectory: "\(directory)/state")
        try await daemon.waitForFile(profile.privateKey)
        let probe = try RelayAPIClient(profile: profile)
        let keys = try await daemon.waitForKeys(probe)
        await probe.shutdown()
        let template = try JSONParser.parse(Array(FileManager.default.contents(atPath: seed) ?? Data()))
        print("relay-bench http: \(reports) reports per run, narrative \(narrativeBytes) B, relayd pid \(daemon.pid)")
        print("connections  accepted/s   p50 ms   p90 ms   p99 ms   daemon CPU µs/submit   non-201")
        for concurrency in connections {
            let bodies = try (0..<reports).map { try Self.submission(template, index: $0, narrativeBytes: narrativeBytes, key: keys.envelopeKeys[0]) }
            let clients = try (0..<concurrency).map { _ in try RelayAPIClient(profile: profile) }
            let next = NIOLockedValueBox(0)
            let (latencySamples, refused, elapsed, cpu) = try await Self.measured(clients, daemon: daemon) { client in
                var latencies: [Double] = [], refused = 0
                while true {
                    let index = next.withLockedValue { value -> Int in defer { value += 1 }; return value }
                    guard index < bodies.count else { break }
                    let start = ContinuousClock.now
                    let response = try await client.send(.POST, "/v1/reports", body: bodies[index])
                    latencies.append(seconds(start.duration(to: .now)))
                    if response.status != 201 { refused += 1 }
                }
                return (latencies, refused)
            }
            let accepted = latencySamples.count - refused
            let latencies = Latencies(samples: latencySamples)
            print(String(format: "%11d %11.0f %8.2f %8.2f %8.2f %22.0f %9d", concurrency, Double(accepted) / elapsed,
                         latencies.percentile(0.5) * 1000, latencies.percentile(0.9) * 1000, latencies.percentile(0.99) * 1000,
                         accepted > 0 ? cpu / Double(accepted) * 1e6 : 0, refused))
        }
        if leaseWorkers > 0 { try await drain(daemon: daemon, directory: directory) }
    }

    /// The police side: `leaseWorkers` intake connections lease pages of 50 and acknowledge each
    /// page until the queue is empty; reports items/s, lease latency and daemon CPU per item.
    func drain(daemon: BenchDaemon, directory: String) async throws {
        let intake = ClientProfile(server: "https://localhost:\(daemon.apiPort)", certificate: "\(directory)/certs/dev/met-intake.pem",
                                   privateKey: "\(directory)/certs/dev/met-intake.key", caBundle: "\(directory)/certs/dev/ca.pem",
                                   stateDirectory: "\(directory)/intake-state")
        let clients = try (0..<leaseWorkers).map { _ in try RelayAPIClient(profile: intake) }
        let (leaseSamples, delivered, elapsed, cpu) = try await Self.measured(clients, daemon: daemon) { client in
            var leaseLatencies: [Double] = [], acked = 0
            while true {
                let start = ContinuousClock.now
                let leased = try await client.call(.POST, "/v1/intake/lease", body: ["max": 50, "lease_seconds": 300])
                leaseLatencies.append(seconds(start.duration(to: .now)))
                let items = leased.body["items"]?.arrayValue ?? []
                if items.isEmpty { break }
                let acks: [JSONValue] = items.map { ["delivery_id": $0["delivery_id"] ?? .null, "lease_token": $0["lease_token"] ?? .null] }
                let answer = try await client.call(.POST, "/v1/intake/ack", body: ["acks": .array(acks)])
                acked += (answer.body["results"]?.arrayValue ?? []).filter { $0["status"]?.stringValue == "delivered" }.count
            }
            return (leaseLatencies, acked)
        }
        let lease = Latencies(samples: leaseSamples)
        print("lease + ack, pages of 50, \(leaseWorkers) intake connections: \(delivered) items delivered, "
              + String(format: "%.0f items/s, lease p50 %.2f ms p99 %.2f ms, daemon CPU %.0f µs per item",
                       Double(delivered) / elapsed, lease.percentile(0.5) * 1000, lease.percentile(0.99) * 1000,
                       delivered > 0 ? cpu / Double(delivered) * 1e6 : 0))
    }

    /// Opens every client's connection, then runs `work` on all of them at once; returns their
    /// merged samples and counts, the wall time and the daemon's CPU over it.
    static func measured(_ clients: [RelayAPIClient], daemon: BenchDaemon,
                         _ work: @escaping @Sendable (RelayAPIClient) async throws -> ([Double], Int)) async throws
        -> (samples: [Double], count: Int, elapsed: Double, cpu: Double) {
        for client in clients { _ = try await client.send(.GET, "/v1/whoami") }
        let cpuBefore = daemon.cpuSeconds()
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for client in clients { group.addTask { try await work(client) } }
            return try await group.reduce(into: ([Double](), 0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        let elapsed = seconds(started.duration(to: .now))
        let cpu = daemon.cpuSeconds() - cpuBefore
        for client in clients { await client.shutdown() }
        return (results.0, results.1, elapsed, cpu)
    }

    /// One distinct submission body: a new report id, victim and reference, the narrative
    /// extended to `narrativeBytes` (naming the victim, as real narratives do), sealed to `key`.
    static func submission(_ template: JSONValue, index: Int, narrativeBytes: Int, key: Curve25519.KeyAgreement.PublicKey) throws -> JSONValue {
        guard case .object(var report) = template, case .object(var victim)? = report["victim"], case .object(var incident)? = report["incident"],
              case .object(var consent)? = report["consent"] else {
            throw ValidationError("the seed is not a report object with victim, incident and consent")
        }
        let given = ["Margaret", "Bridget", "Kathleen", "Mary", "Nora", "Eileen", "Teresa", "Siobhan"][index % 8]
        let family = ["Kiely", "Ward", "McDonagh", "Joyce", "Maughan", "Delaney", "Quilligan", "Stokes"][(index / 8) % 8]
        let name = "\(given) \(family)-\(index)"
        victim["name"] = .string(name)
        victim["other_names"] = .array([.string("\(given.prefix(3))\(index)")])
        var narrative = incident["narrative"]?.stringValue ?? ""
        let filler = " Later that week \(given) walked past the same stop with her daughter and the same two women shouted at \(name) again; a neighbour saw it and offered to make a statement."
        while narrative.utf8.count < narrativeBytes { narrative += filler }
        incident["narrative"] = .string(String(narrative.utf8.prefix(narrativeBytes)) ?? narrative)
        consent["level"] = .string(["anonymous", "identity", "identity_and_contact"][index % 3])
        report["victim"] = .object(victim)
        report["incident"] = .object(incident)
        report["consent"] = .object(consent)
        report["centre_reference"] = .string("BENCH-\(index)")
        let reportID = UUID()
        let envelope = try Envelope.seal(JSONValue.object(report).canonicalBytes, to: key, purpose: .report, reportID: reportID)
        return ["report_id": .string(reportID.lowercasedString), "envelope": envelope.jsonValue]
    }
}

/// A process's CPU time so far (user + system), from /proc.
func processCPUSeconds(_ pid: Int32) -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // After the command name: state is field 3, utime 14 and stime 15 (1-based, whole line).
    let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
    return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// The release relayd as a child process, on the example configuration with fresh ports, the
/// workspace's paths and rate limits high enough not to be what is measured.
final class BenchDaemon: @unchecked Sendable {
    let process = Process()
    let apiPort: Int
    let opsPort: Int
    var log = ""
    var pid: Int32 { process.processIdentifier }

    init(binary: String, directory: String) throws {
        apiPort = Int.random(in: 20_000...40_000)
        opsPort = apiPort + 1
        var yaml = try String(contentsOfFile: "config/relayd.example.yaml", encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "port: 8443", with: "port: \(apiPort)").replacingOccurrences(of: "port: 9090", with: "port: \(opsPort)")
        for role in ["centre: {per_second: 5, burst: 50}", "intake: {per_second: 500, burst: 1000}", "auditor: {per_second: 20, burst: 100}"] {
            let name = role.prefix(while: { $0 != ":" })
            yaml = yaml.replacingOccurrences(of: role, with: "\(name): {per_second: 100000, burst: 1000000}")
        }
        let config = "\(directory)/relayd.yaml"
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: (binary as NSString).standardizingPath.hasPrefix("/") ? binary
                                    : FileManager.default.currentDirectoryPath + "/" + binary)
        process.arguments = ["--config", config, "--log-level", "warning"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        FileManager.default.createFile(atPath: "\(directory)/relayd.log", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: "\(directory)/relayd.log")
        log = "\(directory)/relayd.log"
        try process.run()
    }

    /// Waits for a file the development PKI writes on first start.
    func waitForFile(_ path: String) async throws {
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: path) {
            guard process.isRunning else { throw ValidationError("relayd stopped; see \(log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(200))
    }

    /// Waits for the API (the development PKI is made on first start) and returns its keys.
    func waitForKeys(_ client: RelayAPIClient) async throws -> PublishedKeys {
        for _ in 0..<600 {
            if let keys = try? await client.keys() { return keys }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("relayd did not start; see \(log)")
    }

    /// The daemon's CPU time so far (user + system), from /proc.
    func cpuSeconds() -> Double { processCPUSeconds(pid) }

    func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }
}
