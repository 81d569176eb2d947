import ArgumentParser
import Foundation
import RelayClient
import RelayCore

/// `relay-bench lease-depth`: lease + ack over mutual TLS against the built relayd with 10k and
/// then 1M items queued, to show that a lease's cost does not grow with the queue.
///
/// Filling a million items through the API would take an hour, so the queue is filled through
/// the store: `seed` real reports are submitted over the API (real rows, real sealed police
/// views), relayd is stopped, and the `sqlite3` CLI copies those rows — report, delivery item
/// and sealed view — under new ids until the intake's queue holds the depth asked for plus the
/// items the measurement will take. Copies carry their original's acceptance and sealed view
/// (an intake could not open them as new reports; the lease never opens them).
struct LeaseDepthBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lease-depth", abstract: "Lease (pages of 50) + ack at 10k and 1M queued items, the queue filled through the store.")

    @Option(help: "The relayd binary (build it with `swift build -c release --product relayd`).") var relayd = ".build/release/relayd"
    @Option(parsing: .upToNextOption, help: "Queue depths to measure at, ascending.") var queued: [Int] = [10_000, 1_000_000]
    @Option(help: "Pages of 50 leased and acknowledged at each depth (the queue is filled with this many more).") var pages = 200
    @Option(help: "Intake connections leasing at once.") var workers = 8
    @Option(help: "Real reports submitted over the API, whose rows the fill copies.") var seedReports = 200
    @Option(help: "Seed report the submissions are made from.") var seed = "seeds/traveller-centre/01-verbal-abuse-bus-stop.json"
    @Option(help: "Reuse the workspace of an earlier run (its queue is topped up, not refilled).") var workspace: String?
    @Flag(help: "Keep the workspace (about 11 GB at a million items) for a later --workspace run.") var keep = false

    func run() async throws {
        guard queued == queued.sorted() else { throw ValidationError("--queued must be ascending: the fill only adds items") }
        let directory: String
        if let workspace {
            directory = workspace
        } else {
            directory = (try temporaryDatabase("lease-depth") as NSString).deletingLastPathComponent
            try await submitSeeds(directory: directory)
        }
        let database = "\(directory)/var/relay.sqlite"
        print("workspace: \(directory)")
        print("relay-bench lease-depth: \(seedReports) reports submitted over the API; pages of 50, \(workers) intake connections, \(pages) pages at each depth")
        print("queued (start → end)    fill s   items/s   lease p50 ms   lease p90 ms   lease p99 ms   daemon CPU µs/item")
        var p99s: [Double] = []
        for depth in queued {
            let target = depth + (pages + 1) * 50
            let fillStart = ContinuousClock.now
            try fill(database: database, to: target)
            let fillSeconds = seconds(fillStart.duration(to: .now))
            let daemon = try BenchDaemon(binary: relayd, directory: directory)
            defer { daemon.stop() }
            let (rate, lease, cpu) = try await measure(daemon: daemon, directory: directory)
            daemon.stop()
            p99s.append(lease.percentile(0.99))
            print(String(format: "%9d → %-9d %8.1f %9.0f %14.2f %14.2f %14.2f %20.0f", target, depth, fillSeconds, rate, lease.percentile(0.5) * 1000,
                         lease.percentile(0.9) * 1000, lease.percentile(0.99) * 1000, cpu))
        }
        if let first = p99s.first, let last = p99s.last, p99s.count > 1 {
            print(String(format: "lease p99 at the deepest queue / at the shallowest: %.2f", last / first))
        }
        if workspace == nil, !keep {
            try FileManager.default.removeItem(atPath: directory)
            print("workspace removed (--keep keeps it)")
        }
    }

    /// Starts relayd once on the fresh workspace (its development PKI, keys and store), submits
    /// the seed reports, and stops it.
    func submitSeeds(directory: String) async throws {
        let daemon = try BenchDaemon(binary: relayd, directory: directory)
        defer { daemon.stop() }
        let profile = daemon.profile("traveller-centre", directory: directory)
        try await daemon.waitForFile(profile.privateKey)
        let client = try RelayAPIClient(profile: profile)
        let keys = try await daemon.waitForKeys(client)
        let template = try JSONParser.parse(Array(FileManager.default.contents(atPath: seed) ?? Data()))
        for index in 0..<seedReports {
            let body = try HTTPBenchmark.submission(template, index: index, narrativeBytes: 4096, key: keys.envelopeKeys[0])
            let response = try await client.send(.POST, "/v1/reports", body: body)
            guard response.status == 201 else { throw ValidationError("seed report \(index) answered \(response.status)") }
        }
        await client.shutdown()
        daemon.stop()
    }

    /// Copies the seed rows under new ids until the intake has `target` queued items.
    func fill(database: String, to target: Int) throws {
        let queued = Int(try sqlite(database, "SELECT count(*) FROM deliveries WHERE state = 'queued' AND intake_id = 'met-intake';")) ?? 0
        let missing = target - queued
        guard missing > 0 else { return }
        let reportColumns = try sqlite(database, "SELECT group_concat(name, ', ') FROM pragma_table_info('reports') WHERE name NOT IN ('seq', 'report_id');")
        let deliveryColumns = try sqlite(database, "SELECT group_concat(name, ', ') FROM pragma_table_info('deliveries') WHERE name NOT IN ('seq', 'delivery_id', 'report_id');")
        let prefixed = { (columns: String, alias: String) in columns.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", ") }
        let uuid = """
            lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
              || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
            """
        // In chunks, each its own transaction followed by a checkpoint, so that the WAL stays small.
        var added = 0
        while added < missing {
            let chunk = min(100_000, missing - added)
            _ = try sqlite(database, """
                PRAGMA busy_timeout = 10000;
                CREATE TEMP TABLE seeds (k INTEGER PRIMARY KEY, report_id TEXT, delivery_id TEXT);
                INSERT INTO seeds SELECT row_number() OVER (ORDER BY d.seq) - 1, d.report_id, d.delivery_id FROM deliveries d
                  WHERE d.intake_id = 'met-intake' AND d.kind = 'report' AND d.seq <= (SELECT min(seq) FROM deliveries) + \(seedReports - 1);
                CREATE TEMP TABLE fill (i INTEGER PRIMARY KEY, k INTEGER, report_id TEXT, delivery_id TEXT);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(chunk))
                  INSERT INTO fill SELECT i, i % (SELECT count(*) FROM seeds), \(uuid), \(uuid) FROM n;
                BEGIN;
                INSERT INTO reports (report_id, \(reportColumns))
                  SELECT f.report_id, \(prefixed(reportColumns, "r")) FROM fill f JOIN seeds s ON s.k = f.k JOIN reports r ON r.report_id = s.report_id
                  ORDER BY f.i;
                UPDATE reports SET status = 'queued', attempts = 0, delivered_at = NULL WHERE report_id IN (SELECT report_id FROM fill);
                INSERT INTO deliveries (delivery_id, report_id, \(deliveryColumns))
                  SELECT f.delivery_id, f.report_id, \(prefixed(deliveryColumns, "d")) FROM fill f JOIN seeds s ON s.k = f.k JOIN deliveries d ON d.delivery_id = s.delivery_id
                  ORDER BY f.i;
                UPDATE deliveries SET state = 'queued', attempts = 0, lease_token = NULL, delivered_at = NULL, receipt_id = NULL, police_reference = NULL
                  WHERE delivery_id IN (SELECT delivery_id FROM fill);
                INSERT INTO delivery_bodies (delivery_id, envelope)
                  SELECT f.delivery_id, b.envelope FROM fill f JOIN seeds s ON s.k = f.k JOIN delivery_bodies b ON b.delivery_id = s.delivery_id;
                COMMIT;
                PRAGMA wal_checkpoint(TRUNCATE);
                """)
            added += chunk
        }
        let now = Int(try sqlite(database, "SELECT count(*) FROM deliveries WHERE state = 'queued' AND intake_id = 'met-intake';")) ?? 0
        guard now >= target else { throw ValidationError("the fill left \(now) items queued, not \(target)") }
    }

    /// Runs `sql` with the sqlite3 CLI and returns what it printed.
    func sqlite(_ database: String, _ sql: String) throws -> String {
        let process = Process(), output = Pipe(), errors = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [database, sql]
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("sqlite3 failed: \(String(decoding: complaint, as: UTF8.self))")
        }
        return String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `pages` leases of up to 50, each page acknowledged, from `workers` intake connections.
    func measure(daemon: BenchDaemon, directory: String) async throws -> (rate: Double, lease: Latencies, cpu: Double) {
        let intake = daemon.profile("met-intake", directory: directory)
        let probe = try RelayAPIClient(profile: intake)
        _ = try await daemon.waitForKeys(probe)
        await probe.shutdown()
        let clients = try (0..<workers).map { _ in try RelayAPIClient(profile: intake) }
        for client in clients { _ = try await client.send(.GET, "/v1/whoami") }
        // relayd runs its retention purge at start; at a million reports its selection reads the
        // store for about a second (on a read snapshot, beside the traffic). The measurement is of
        // the queue, so it starts once relayd is idle, after one untimed page.
        let settled = try await daemon.waitUntilIdle()
        print("relayd idle \(String(format: "%.1f", settled)) s after its API answered (start-up purge)")
        _ = try await HTTPBenchmark.leaseAndAck(clients[0])
        let work = WorkCounter(pages)
        let (samples, delivered, elapsed, cpu, _) = try await HTTPBenchmark.measured(clients, serverCPU: daemon.cpuSeconds) { client in
            var latencies: [Double] = [], acked = 0
            while work.take() != nil {
                let page = try await HTTPBenchmark.leaseAndAck(client)
                guard page.leased > 0 else { throw ValidationError("the queue ran dry: the fill was short") }
                latencies.append(page.leaseSeconds)
                acked += page.delivered
            }
            return (latencies, acked)
        }
        for client in clients { await client.shutdown() }
        return (Double(delivered) / elapsed, Latencies(samples: samples), delivered > 0 ? cpu / Double(delivered) * 1e6 : 0)
    }
}
