import ArgumentParser
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
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

    @Option(help: "Runs of every concurrency level; the summary gives medians.") var runs = 3
    @Option(help: "The peer measured beside relayd in the same run: rabbitmq or none.") var peer = "rabbitmq"
    @Option(help: "RabbitMQ's server script (Debian's rabbitmq-server package).") var rabbitmqServer = RabbitMQPeer.defaultServer

    /// One measured run of one system at one concurrency.
    struct Run {
        var rate: Double
        var latencies: Latencies
        /// CPU per accepted item, microseconds: the server's and the load generator's own.
        var serverCPU: Double
        var generatorCPU: Double
        var refused: Int

        var line: String {
            String(format: "%11.0f %8.2f %8.2f %8.2f %14.0f %15.0f %8d", rate, latencies.percentile(0.5) * 1000, latencies.percentile(0.9) * 1000,
                   latencies.percentile(0.99) * 1000, serverCPU, generatorCPU, refused)
        }
    }

    func run() async throws {
        let workspace = try temporaryDatabase("http")  // .../relay.sqlite inside a fresh directory
        let directory = (workspace as NSString).deletingLastPathComponent
        let daemon = try BenchDaemon(binary: relayd, directory: directory)
        defer { daemon.stop() }
        let centre = "traveller-centre"
        let profile = daemon.profile(centre, directory: directory)
        try await daemon.waitForFile(profile.privateKey)
        let probe = try RelayAPIClient(profile: profile)
        let keys = try await daemon.waitForKeys(probe)
        await probe.shutdown()
        let template = try JSONParser.parse(Array(FileManager.default.contents(atPath: seed) ?? Data()))
        let rabbit = try await startPeer(workspace: directory, client: centre)
        defer { rabbit?.broker.stop() }
        print("relay-bench http: \(reports) reports per run, narrative \(narrativeBytes) B, relayd pid \(daemon.pid)"
              + (rabbit.map { ", RabbitMQ \(Self.rabbitVersion()) pid \($0.broker.pid) (quorum queue, persistent messages, publisher confirms, AMQPS with client certificates)" } ?? ""))
        print("CPU columns are microseconds per accepted item: the server's (relayd or the broker) and the load generator's own.")
        print("run  system    connections  accepted/s   p50 ms   p90 ms   p99 ms  server CPU µs  generator CPU µs  refused")
        var results: [String: [Int: [Run]]] = [:]
        for round in 1...runs {
            for concurrency in connections {
                let bodies = try (0..<reports).map { try Self.submission(template, index: $0, narrativeBytes: narrativeBytes, key: keys.envelopeKeys[0]) }
                let relay = try await submitRun(bodies, concurrency: concurrency, profile: profile, daemon: daemon)
                results["relayd", default: [:]][concurrency, default: []].append(relay)
                print(String(format: "%3d  relayd    %11d ", round, concurrency) + relay.line)
                if let rabbit {
                    let messages = bodies.map { Array($0.canonicalBytes) }
                    let broker = try await publishRun(messages, concurrency: concurrency, peer: rabbit.broker, group: rabbit.group)
                    results["rabbitmq", default: [:]][concurrency, default: []].append(broker)
                    print(String(format: "%3d  rabbitmq  %11d ", round, concurrency) + broker.line)
                }
            }
        }
        try await ceiling(profile: profile, daemon: daemon)
        summarise(results)
        if let rabbit { try? await rabbit.group.shutdownGracefully() }
        if leaseWorkers > 0 { try await drain(daemon: daemon, directory: directory) }
        rabbit?.broker.stop()
        daemon.finish()
    }

    /// Starts the RabbitMQ peer unless `--peer none`; says so when it is not installed.
    func startPeer(workspace: String, client: String) async throws -> (broker: RabbitMQPeer, group: MultiThreadedEventLoopGroup)? {
        guard peer == "rabbitmq" else { return nil }
        guard RabbitMQPeer.isInstalled(rabbitmqServer) else {
            print("RabbitMQ is not installed (\(rabbitmqServer) missing; `apt-get install rabbitmq-server`): relayd's figures alone.")
            return nil
        }
        let broker = try RabbitMQPeer(server: rabbitmqServer, workspace: workspace, client: client)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            try await broker.waitUntilReady(group: group, queue: Self.queue)
        } catch {
            broker.stop()
            throw error
        }
        return (broker, group)
    }

    static let queue = "relay-bench"

    /// The installed package's version, or "" where dpkg does not know it.
    static func rabbitVersion() -> String {
        let pipe = Pipe(), process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/dpkg-query")
        process.arguments = ["-W", "-f=${Version}", "rabbitmq-server"]
        process.standardOutput = pipe
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        guard (try? process.run()) != nil else { return "" }
        let version = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: version, as: UTF8.self) : ""
    }

    /// Every body submitted once from `concurrency` keep-alive connections.
    func submitRun(_ bodies: [JSONValue], concurrency: Int, profile: ClientProfile, daemon: BenchDaemon) async throws -> Run {
        let clients = try (0..<concurrency).map { _ in try RelayAPIClient(profile: profile) }
        for client in clients { _ = try await client.send(.GET, "/v1/whoami") }
        let work = WorkCounter(bodies.count)
        let (samples, refused, elapsed, cpu, generator) = try await Self.measured(clients, serverCPU: daemon.cpuSeconds) { client in
            var latencies: [Double] = [], refused = 0
            while let index = work.take() {
                let start = ContinuousClock.now
                let response = try await client.send(.POST, "/v1/reports", body: bodies[index])
                latencies.append(seconds(start.duration(to: .now)))
                if response.status != 201 { refused += 1 }
            }
            return (latencies, refused)
        }
        for client in clients { await client.shutdown() }
        let accepted = max(samples.count - refused, 1)
        return Run(rate: Double(samples.count - refused) / elapsed, latencies: Latencies(samples: samples), serverCPU: cpu / Double(accepted) * 1e6,
                   generatorCPU: generator / Double(accepted) * 1e6, refused: refused)
    }

    /// Every message published once from `concurrency` publishers, each waiting for its confirm.
    func publishRun(_ messages: [[UInt8]], concurrency: Int, peer: RabbitMQPeer, group: EventLoopGroup) async throws -> Run {
        var publishers: [AMQPPublisher] = []
        for _ in 0..<concurrency { publishers.append(try await AMQPPublisher.connect(port: peer.port, tls: peer.tls, queue: Self.queue, group: group)) }
        let work = WorkCounter(messages.count)
        let (samples, _, elapsed, cpu, generator) = try await Self.measured(publishers, serverCPU: peer.cpuSeconds) { publisher in
            var latencies: [Double] = []
            while let index = work.take() {
                let start = ContinuousClock.now
                try await publisher.publish(messages[index])
                latencies.append(seconds(start.duration(to: .now)))
            }
            return (latencies, 0)
        }
        for publisher in publishers { await publisher.close() }
        return Run(rate: Double(samples.count) / elapsed, latencies: Latencies(samples: samples), serverCPU: cpu / Double(samples.count) * 1e6,
                   generatorCPU: generator / Double(samples.count) * 1e6, refused: 0)
    }

    /// The load generator's ceiling: the cheapest authenticated request (`GET /v1/whoami`) over
    /// the same connections, as fast as answers come back.
    func ceiling(profile: ClientProfile, daemon: BenchDaemon) async throws {
        for concurrency in connections {
            let clients = try (0..<concurrency).map { _ in try RelayAPIClient(profile: profile) }
            for client in clients { _ = try await client.send(.GET, "/v1/whoami") }
            let work = WorkCounter(reports)
            let (samples, _, elapsed, cpu, generator) = try await Self.measured(clients, serverCPU: daemon.cpuSeconds) { client in
                var latencies: [Double] = []
                while work.take() != nil {
                    let start = ContinuousClock.now
                    _ = try await client.send(.GET, "/v1/whoami")
                    latencies.append(seconds(start.duration(to: .now)))
                }
                return (latencies, 0)
            }
            for client in clients { await client.shutdown() }
            print(String(format: "ceiling: GET /v1/whoami, %d connections: %.0f requests/s, p50 %.2f ms; relayd %.0f µs and load generator %.0f µs of CPU per request",
                         concurrency, Double(samples.count) / elapsed, Latencies(samples: samples).percentile(0.5) * 1000,
                         cpu / Double(samples.count) * 1e6, generator / Double(samples.count) * 1e6))
        }
    }

    /// Medians over the runs, and relayd / RabbitMQ as the median of each run's ratio.
    func summarise(_ results: [String: [Int: [Run]]]) {
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        print("medians of \(runs) runs:")
        for concurrency in connections {
            guard let relay = results["relayd"]?[concurrency] else { continue }
            var line = String(format: "%3d connections: relayd %.0f/s p99 %.2f ms %.0f µs CPU", concurrency, median(relay.map(\.rate)),
                              median(relay.map { $0.latencies.percentile(0.99) }) * 1000, median(relay.map(\.serverCPU)))
            if let broker = results["rabbitmq"]?[concurrency] {
                let ratios = zip(relay, broker).map { $0.rate / $1.rate }
                let cpuRatios = zip(relay, broker).map { $0.serverCPU / $1.serverCPU }
                line += String(format: " | RabbitMQ %.0f/s p99 %.2f ms %.0f µs CPU | relayd/RabbitMQ throughput %.2f, CPU per item %.1f×", median(broker.map(\.rate)),
                               median(broker.map { $0.latencies.percentile(0.99) }) * 1000, median(broker.map(\.serverCPU)), median(ratios), median(cpuRatios))
            }
            print(line)
        }
    }

    /// The police side: `leaseWorkers` intake connections lease pages of 50 and acknowledge each
    /// page until the queue is empty; reports items/s, lease latency and daemon CPU per item.
    func drain(daemon: BenchDaemon, directory: String) async throws {
        let intake = daemon.profile("met-intake", directory: directory)
        let clients = try (0..<leaseWorkers).map { _ in try RelayAPIClient(profile: intake) }
        for client in clients { _ = try await client.send(.GET, "/v1/whoami") }
        let (leaseSamples, delivered, elapsed, cpu, _) = try await Self.measured(clients, serverCPU: daemon.cpuSeconds) { client in
            var leaseLatencies: [Double] = [], acked = 0
            while true {
                let page = try await Self.leaseAndAck(client)
                leaseLatencies.append(page.leaseSeconds)
                if page.leased == 0 { break }
                acked += page.delivered
            }
            return (leaseLatencies, acked)
        }
        for client in clients { await client.shutdown() }
        let lease = Latencies(samples: leaseSamples)
        print("lease + ack, pages of 50, \(leaseWorkers) intake connections: \(delivered) items delivered, "
              + String(format: "%.0f items/s, lease p50 %.2f ms p99 %.2f ms, daemon CPU %.0f µs per item",
                       Double(delivered) / elapsed, lease.percentile(0.5) * 1000, lease.percentile(0.99) * 1000,
                       delivered > 0 ? cpu / Double(delivered) * 1e6 : 0))
    }

    /// One page: leases up to 50 items, acknowledges every one; returns the lease's latency, how
    /// many were leased and how many the ack answered `delivered`.
    static func leaseAndAck(_ client: RelayAPIClient) async throws -> (leaseSeconds: Double, leased: Int, delivered: Int) {
        let start = ContinuousClock.now
        let leased = try await client.call(.POST, "/v1/intake/lease", body: ["max": 50, "lease_seconds": 300])
        let latency = seconds(start.duration(to: .now))
        let items = leased.body["items"]?.arrayValue ?? []
        guard !items.isEmpty else { return (latency, 0, 0) }
        let acks: [JSONValue] = items.map { ["delivery_id": $0["delivery_id"] ?? .null, "lease_token": $0["lease_token"] ?? .null] }
        let answer = try await client.call(.POST, "/v1/intake/ack", body: ["acks": .array(acks)])
        return (latency, items.count, (answer.body["results"]?.arrayValue ?? []).filter { $0["status"]?.stringValue == "delivered" }.count)
    }

    /// Runs `work` on every worker at once; returns their merged samples and counts, the wall
    /// time, the server's CPU over it and the load generator's own.
    static func measured<Worker: Sendable>(_ workers: [Worker], serverCPU: @escaping () -> Double,
                                           _ work: @escaping @Sendable (Worker) async throws -> ([Double], Int)) async throws
        -> (samples: [Double], count: Int, elapsed: Double, cpu: Double, generator: Double) {
        let cpuBefore = serverCPU(), generatorBefore = cpuSeconds()
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for worker in workers { group.addTask { try await work(worker) } }
            return try await group.reduce(into: ([Double](), 0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        let elapsed = seconds(started.duration(to: .now))
        return (results.0, results.1, elapsed, serverCPU() - cpuBefore, cpuSeconds() - generatorBefore)
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
    let directory: String
    var pid: Int32 { process.processIdentifier }

    init(binary: String, directory: String) throws {
        self.directory = directory
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

    /// A client profile for one of the example configuration's principals, from the workspace's
    /// development PKI.
    func profile(_ principal: String, directory: String) -> ClientProfile {
        let dev = "\(directory)/certs/dev"
        return ClientProfile(server: "https://localhost:\(apiPort)", certificate: "\(dev)/\(principal).pem", privateKey: "\(dev)/\(principal).key",
                             caBundle: "\(dev)/ca.pem", stateDirectory: "\(directory)/state-\(principal)")
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

    /// Waits until the daemon uses under 2% of a core over half a second (its start-up work done),
    /// at most `limit` seconds; returns the seconds waited.
    func waitUntilIdle(limit: Double = 120) async throws -> Double {
        let start = ContinuousClock.now
        var last = cpuSeconds()
        while seconds(ContinuousClock.now - start) < limit {
            try await Task.sleep(for: .milliseconds(500))
            let now = cpuSeconds()
            if now - last < 0.01 { break }
            last = now
        }
        return seconds(ContinuousClock.now - start)
    }

    func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }

    /// Stops the daemon and removes its workspace (store, PKI, log): called at the end of a run
    /// that went through, so that a failed one leaves its log to read.
    func finish() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
