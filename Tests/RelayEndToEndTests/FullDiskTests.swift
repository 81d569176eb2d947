import Foundation
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

/// A full disk, for real: the built relayd runs with its database on a 6 MiB tmpfs of its own
/// (a mount namespace), the test fills it, and then: submits get 503 with Retry-After, /readyz
/// says `disk_full`, the `relay` CLI keeps the report spooled, nothing acknowledged is lost and
/// nothing is half-written; once space returns the daemon recovers by itself.
@Suite("A full disk (built relayd on a small tmpfs)", .serialized)
struct FullDiskTests {
    func readyz(_ daemon: RelaydProcess) async throws -> (status: Int, body: JSONValue) {
        let curl = try await Subprocess.run("curl", ["-s", "-w", "\n%{http_code}", "http://127.0.0.1:\(daemon.opsPort)/readyz"])
        let lines = curl.stdout.split(separator: "\n").map(String.init)
        return (Int(lines.last ?? "") ?? 0, (try? JSONParser.parse(Array((lines.first ?? "").utf8))) ?? .null)
    }

    @Test("fill the disk: 503 + Retry-After, readyz disk_full, spooled not lost; free it: recovers, flush delivers, the log verifies")
    func fullDisk() async throws {
        let daemon = try RelaydProcess()
        try await daemon.startOnSmallDisk(megabytes: 6)
        let centre = daemon.profile("traveller-centre")
        let seeds = ["01-verbal-abuse-bus-stop.json", "02-criminal-damage-trailer.json", "03-online-threats-community-group.json"]
            .map { "\(Repository.root)/seeds/traveller-centre/\($0)" }
        let first = try await daemon.relay(["submit", "--profile", centre, seeds[0]]).checked("relay submit").stdout
        let acknowledged = try #require(first.components(separatedBy: "accepted as ").last?.prefix(36)).description

        // Fill the file system to the last byte (dd stops at ENOSPC).
        let filler = daemon.pathInDaemon(daemon.workspace.file("var/filler"))
        _ = try await Subprocess.run("dd", ["if=/dev/zero", "of=\(filler)", "bs=65536"])

        // A write that fits in the write-ahead log's pages already on disk still commits (the log
        // is started over once copied back into the database file), so submit until the store
        // needs space it cannot get: that submit is refused with 503 and Retry-After (the relay's
        // client keeps it spooled). Every submit accepted before it is stored whole (checked below).
        let profile = try ClientProfile.resolve(.init(profile: centre), environment: [:])
        let api = try RelayAPIClient(profile: ClientProfile(server: profile.server, certificate: daemon.workspace.file(profile.certificate),
                                                            privateKey: daemon.workspace.file(profile.privateKey), caBundle: daemon.workspace.file(profile.caBundle),
                                                            stateDirectory: daemon.workspace.file("probe-state")))
        var acceptedAfterFilling: [String] = []
        var refused: RelayAPIClient.RawResponse?
        do {
            let client = CentreClient(api: api, stateDirectory: daemon.workspace.file("probe-state"))
            let keys = try #require(try await client.keys()).keys
            for _ in 0..<40 where refused == nil {
                let entry = try client.prepare(reportBytes: try Data(contentsOf: URL(fileURLWithPath: seeds[1])), keys: keys)
                let response = try await api.send(.POST, "/v1/reports", body: entry.body)
                if response.status == 201 { acceptedAfterFilling.append(entry.reportID.lowercasedString) } else { refused = response }
            }
            await api.shutdown()
        } catch {
            await api.shutdown()
            throw error
        }
        #expect(refused?.status == 503, "40 submits accepted on a full disk")
        #expect(refused?.retryAfter != nil)
        #expect(refused?.body["detail"]?.stringValue?.contains("disk full") == true, "\(String(describing: refused?.body))")
        let notReady = try await readyz(daemon)
        #expect(notReady.status == 503)
        #expect(notReady.body["store_writable"] == false && notReady.body["store_error"] == "disk_full", "\(notReady.body)")
        let spooled = try await daemon.relay(["submit", "--profile", centre, seeds[2]])
        #expect(spooled.status == 4 && spooled.stderr.contains("spooled"), "\(spooled.stderr)")
        #expect(daemon.process!.isRunning)

        // Space returns: the daemon recovers by itself, and the spool is delivered.
        try FileManager.default.removeItem(atPath: filler)
        var recovered = false
        for _ in 0..<50 where !recovered {
            recovered = try await readyz(daemon).status == 200
            if !recovered { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(recovered, "/readyz is ready again without a restart")
        let flushed = try await daemon.relay(["flush", "--profile", centre]).checked("relay flush").stdout
        #expect(flushed.contains("accepted") && flushed.contains("spool empty"), "\(flushed)")

        // Nothing acknowledged was lost, nothing half-written: the acknowledged reports and the
        // flushed one are whole (with their consent events), the refused one left no trace, and
        // the audit log verifies.
        // (SQLite resolves /proc/PID/root links to this namespace's paths: ask inside the daemon's.)
        let database = daemon.databasePath
        let reports = try await daemon.inDaemonNamespace("/usr/bin/sqlite3", [database, "SELECT report_id FROM reports ORDER BY seq"]).checked("sqlite3").stdout
        let stored = reports.split(separator: "\n").map(String.init)
        #expect(stored.count == 2 + acceptedAfterFilling.count && stored.first == acknowledged, "\(reports)")
        #expect(Array(stored.dropFirst().prefix(acceptedAfterFilling.count)) == acceptedAfterFilling, "\(reports)")
        let orphans = try await daemon.inDaemonNamespace("/usr/bin/sqlite3", [database, """
            SELECT (SELECT count(*) FROM report_originals WHERE report_id NOT IN (SELECT report_id FROM reports))
                 + (SELECT count(*) FROM reports WHERE report_id NOT IN (SELECT report_id FROM consent_events))
            """]).checked("sqlite3").stdout
        #expect(orphans.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let verified = try await daemon.inDaemonNamespace(Repository.binary("relayctl"), ["audit", "verify", "--config", daemon.configPath,
                                                                                                 "--database", daemon.databasePath, "--keys", daemon.workspace.file("var/keys")])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        try await daemon.stop()
    }
}
