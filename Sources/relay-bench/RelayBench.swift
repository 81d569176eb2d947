import ArgumentParser
import Crypto
import Foundation
import NIOConcurrencyHelpers
import RelayCore
import RelayStore

@main
struct RelayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay-bench",
        abstract: "Benchmarks of the relay (store, audit log, redaction). Run in release: swift run -c release relay-bench ...",
        subcommands: [AuditAppend.self, InclusionProof.self, ScrubBenchmark.self, HTTPBenchmark.self, LeaseDepthBenchmark.self, PartsBenchmark.self, ScrubDump.self, HandshakeBenchmark.self, SoakBenchmark.self, StatsBenchmark.self])
}

/// Hands out 0, 1, 2 … up to a limit to concurrent workers, each number once.
final class WorkCounter: Sendable {
    private let limit: Int
    private let next = NIOLockedValueBox(0)

    init(_ limit: Int) { self.limit = limit }

    /// The next number, or nil when all are taken.
    func take() -> Int? {
        next.withLockedValue { value in
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

/// Percentiles of a sample of durations in seconds.
struct Latencies {
    var samples: [Double]

    func percentile(_ p: Double) -> Double {
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    var summary: String {
        String(format: "p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms", percentile(0.5) * 1000, percentile(0.9) * 1000,
               percentile(0.99) * 1000, samples.max()! * 1000)
    }
}

/// Process CPU time (user + system), for CPU per operation next to wall-clock rates.
func cpuSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func temporaryDatabase(_ label: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relay-bench-\(label)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent("relay.sqlite").path
}

struct AuditAppend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-append",
        abstract: "Durable submits (synchronous=FULL) with and without the audit log, alternating rounds in one run.")
    @Option(help: "Submits per round.") var reports = 2000
    @Option(help: "Concurrent writers.") var writers = 8
    @Option(help: "Rounds of each variant (alternated).") var rounds = 3

    func run() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let report = try ReportValidator().validate(document: Self.sampleReport, now: Date())
        let redactions = PoliceViewBuilder.build(report: report, consent: report.consent,
                                                 context: PoliceViewContext(reportID: UUID(), centreID: "c", centreName: "C"))!.redactions
        // Sealed bodies of a typical size, made once so that the loop measures the store only.
        let original = String(repeating: "e", count: 3000), view = String(repeating: "v", count: 3000)
        var results: [Bool: [(rate: Double, cpu: Double)]] = [true: [], false: []]
        for round in 1...rounds {
            for audit in [false, true] {
                let database = try RelayDatabase(path: try temporaryDatabase(audit ? "audit" : "plain"), signer: ReceiptSigner(key: key), auditLog: audit)
                let cpuStart = cpuSeconds()
                let start = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<writers {
                        group.addTask {
                            for n in stride(from: writer, to: reports, by: writers) {
                                let id = UUID()
                                _ = try await database.submit(NewSubmission(
                                    reportID: id, centreID: "centre-a", envelopeSHA256: String(format: "%064x", n),
                                    originalEnvelope: original, payloadSHA256: String(repeating: "1", count: 64),
                                    report: ReportFacts(report: report), pseudonym: nil,
                                    delivery: NewDelivery(deliveryID: UUID(), intakeID: "intake-a", kind: .report,
                                                          envelope: view, payloadSHA256: String(repeating: "2", count: 64)),
                                    redactions: redactions, acceptedAt: Date()))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let elapsed = start.duration(to: .now)
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let rate = Double(reports) / seconds
                let cpu = (cpuSeconds() - cpuStart) / Double(reports) * 1e6
                results[audit]!.append((rate, cpu))
                let counts = database.groupCommitCounts
                print(String(format: "round %d  %@  %8.0f submits/s  %6.1f µs CPU/submit  %.1f submits/commit", round,
                             audit ? "with audit   " : "without audit", rate, cpu, Double(counts.submissions) / Double(max(1, counts.batches))))
            }
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        let with = median(results[true]!.map(\.rate)), without = median(results[false]!.map(\.rate))
        // Each round's pair ran back to back, so its ratio is the least disturbed by the neighbours.
        let ratios = zip(results[true]!, results[false]!).map { $0.rate / $1.rate }
        print(String(format: "median: without %.0f/s, with %.0f/s; median of paired ratios with/without = %.3f (audit log costs %.1f%% of submit throughput)",
                     without, with, median(ratios), (1 - median(ratios)) * 100))
    }

    static let sampleReport: JSONValue = [
        "schema": "reportrelay/report/v1",
        "incident": [
            "occurred_at": "2026-11-20T18:30:00Z", "strands": ["race"], "types": ["verbal_abuse"], "risk": "standard",
            "location": ["borough": "Hackney", "postcode": "E8 1AB"],
            "narrative": "Benchmark narrative with a name, Jo Bloggs, and a phone number 07700 900123.",
        ],
        "victim": ["name": "Jo Bloggs", "date_of_birth": "1990-01-01", "phone": "07700 900123"],
        "consent": ["level": "anonymous"],
    ]
}

struct InclusionProof: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inclusion-proof",
        abstract: "Build an audit log of N entries, then time inclusion proofs of random entries against the full tree.")
    @Option(help: "Entries in the log.") var entries = 1_000_000
    @Option(help: "Proofs to time.") var samples = 2000
    @Option(help: "Reuse (or create) this database file instead of a temporary one.") var database: String?

    func run() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let path = try database ?? temporaryDatabase("proof")
        let store = try RelayDatabase(path: path, signer: ReceiptSigner(key: key))
        var size = try await store.auditSize()
        let buildStart = ContinuousClock.now
        while size < entries {
            let batch = min(10_000, entries - size)
            let events = (0..<batch).map { n in
                AuditActor.intake("intake-a").event(.lease, reportID: UUID().lowercasedString, deliveryID: UUID().lowercasedString,
                                                    details: ["attempts": .integer(1 + n % 3), "lease_expires_at": "2026-11-26T12:00:00.000Z"])
            }
            try await store.record(events, at: Date())
            size += batch
        }
        print("log of \(size) entries ready (\(buildStart.duration(to: .now)) to append)")
        let checkpoint = try await store.checkpoint(origin: "bench/log", key: key, now: Date())
        var latencies: [Double] = []
        var verified = 0
        for _ in 0..<samples {
            let index = Int.random(in: 0..<size)
            let start = ContinuousClock.now
            let proof = try await store.inclusionProof(index: index, size: size)
            let elapsed = start.duration(to: .now)
            latencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            if verified < 50, let entry = try await store.auditEntries(start: index, end: index + 1).first,
               MerkleTree.verifyInclusion(leafHash: entry.leafHash, index: index, size: size, proof: proof, root: checkpoint.root) {
                verified += 1
            }
        }
        print("inclusion proof at \(size) entries, \(samples) random leaves: \(Latencies(samples: latencies).summary)")
        print("\(verified)/50 of the first proofs verified against the signed checkpoint root")
        var appendLatencies: [Double] = []
        for _ in 0..<500 {
            let start = ContinuousClock.now
            try await store.record(AuditActor(id: "auditor", role: .auditor).event(.auditorRead), at: Date())
            let elapsed = start.duration(to: .now)
            appendLatencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        print("single durable append (one transaction each) at \(size) entries: \(Latencies(samples: appendLatencies).summary)")
    }
}
