import ArgumentParser
import Foundation
import NIOConcurrencyHelpers
import RelayClient
import RelayCore

/// Sustained load against the release relayd: C centre connections submit distinct reports
/// (each sealed just before it is sent) while intake connections lease and acknowledge, for the
/// given time. Samples the daemon's resident memory (VmRSS) every 10 s and compares the end with
/// the sample at 30 s: memory that keeps growing under steady load is a leak.
struct SoakBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak", abstract: "Sustained submits and leases against the built relayd; the daemon's RSS over time.")

    @Option(help: "The relayd binary (build it with `swift build -c release --product relayd`).") var relayd = ".build/release/relayd"
    @Option(help: "Seconds of load.") var seconds = 300
    @Option(help: "Centre connections submitting.") var connections = 8
    @Option(help: "Intake connections leasing (pages of 50) and acknowledging.") var leaseWorkers = 2
    @Option(help: "Seed report the submissions are made from.") var seed = "seeds/traveller-centre/01-verbal-abuse-bus-stop.json"

    func run() async throws {
        let workspace = try temporaryDatabase("soak")
        let directory = (workspace as NSString).deletingLastPathComponent
        let daemon = try BenchDaemon(binary: relayd, directory: directory)
        defer { daemon.stop() }
        let centre = daemon.profile("traveller-centre", directory: directory)
        let intake = daemon.profile("met-intake", directory: directory)
        try await daemon.waitForFile(centre.privateKey)
        let probe = try RelayAPIClient(profile: centre)
        let keys = try await daemon.waitForKeys(probe)
        await probe.shutdown()
        let template = try JSONParser.parse(Array(FileManager.default.contents(atPath: seed) ?? Data()))
        print("relay-bench soak: \(seconds) s, \(connections) centre and \(leaseWorkers) intake connections, relayd pid \(daemon.pid)")
        let deadline = ContinuousClock.now + .seconds(seconds)
        let counter = NIOLockedValueBox((submitted: 0, delivered: 0))
        let start = ContinuousClock.now
        var samples: [(second: Int, kib: Int)] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<connections {
                group.addTask {
                    let client = try RelayAPIClient(profile: centre)
                    var index = worker
                    while ContinuousClock.now < deadline {
                        let body = try HTTPBenchmark.submission(template, index: index, narrativeBytes: 4096, key: keys.envelopeKeys[0])
                        if try await client.send(.POST, "/v1/reports", body: body).status == 201 { counter.withLockedValue { $0.submitted += 1 } }
                        index += connections
                    }
                    await client.shutdown()
                }
            }
            for _ in 0..<leaseWorkers {
                group.addTask {
                    let client = try RelayAPIClient(profile: intake)
                    while ContinuousClock.now < deadline {
                        let items = try await client.call(.POST, "/v1/intake/lease", body: ["max": 50, "lease_seconds": 300]).body["items"]?.arrayValue ?? []
                        if items.isEmpty {
                            try await Task.sleep(for: .milliseconds(200))
                            continue
                        }
                        let acks: [JSONValue] = items.map { ["delivery_id": $0["delivery_id"] ?? .null, "lease_token": $0["lease_token"] ?? .null] }
                        let results = try await client.call(.POST, "/v1/intake/ack", body: ["acks": .array(acks)]).body["results"]?.arrayValue ?? []
                        counter.withLockedValue { $0.delivered += results.count }
                    }
                    await client.shutdown()
                }
            }
            // Sample while the workers run.
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .seconds(10))
                let second = Int(start.duration(to: .now).components.seconds)
                let kib = Self.residentKiB(daemon.pid)
                let counts = counter.withLockedValue { $0 }
                samples.append((second, kib))
                print("t=\(second) s  RSS \(kib) KiB  submitted \(counts.submitted)  delivered \(counts.delivered)")
            }
            try await group.waitForAll()
        }
        daemon.finish()
        guard let early = samples.first(where: { $0.second >= 30 }), let last = samples.last, early.kib > 0 else { return }
        print(String(format: "RSS at %d s: %d KiB; at %d s: %d KiB; growth %+.1f%%", early.second, early.kib, last.second, last.kib,
                     (Double(last.kib) / Double(early.kib) - 1) * 100))
    }

    static func residentKiB(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
