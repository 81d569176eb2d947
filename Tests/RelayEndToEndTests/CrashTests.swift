import Foundation
import NIOConcurrencyHelpers
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

@Suite("Crash safety of the built relayd", .serialized)
struct CrashTests {
    /// Every report that was answered 201 is present after `kill -9` mid-load and a restart, and
    /// no report is half-written: each has its sealed original, its acceptance receipt, and —
    /// unless stats_only — its delivery item and sealed body.
    @Test("SIGKILL mid-load loses no acknowledged report and leaves none half-written")
    func killNine() async throws {
        let daemon = try RelaydProcess()
        try await daemon.start()
        let profileJSON = try JSONParser.parse(Array(FileManager.default.contents(atPath: daemon.profile("disability-centre"))!))
        func path(_ key: String) -> String {
            let value = profileJSON[key]!.stringValue!
            return value.hasPrefix("/") ? value : daemon.workspace.file(value)
        }
        let profile = ClientProfile(server: "https://localhost:\(daemon.apiPort)", certificate: path("cert"), privateKey: path("key"),
                                    caBundle: path("ca"), stateDirectory: daemon.workspace.file("state"))
        let client = try RelayAPIClient(profile: profile)
        let keys = try await client.keys()
        let acknowledged = NIOLockedValueBox<[String]>([])
        let attempted = NIOLockedValueBox<Int>(0)
        let levels: [ConsentLevel] = [.anonymous, .identity, .statsOnly, .identityAndContact]

        // Eight writers submit as fast as they can; the daemon is killed once 150 are acknowledged.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    var sequence = 0
                    while true {
                        sequence += 1
                        let id = UUID()
                        let report = SampleReports.full(level: levels[(writer + sequence) % levels.count], risk: sequence % 5 == 0 ? "high" : "standard")
                        let envelope = try Envelope.seal(report.canonicalBytes, to: keys.envelopeKeys[0], purpose: .report, reportID: id)
                        attempted.withLockedValue { $0 += 1 }
                        guard let response = try? await client.send(.POST, "/v1/reports", body: ["report_id": .string(id.lowercasedString), "envelope": envelope.jsonValue]) else {
                            return  // the daemon is gone
                        }
                        if response.status == 201 { acknowledged.withLockedValue { $0.append(id.lowercasedString) } }
                    }
                }
            }
            group.addTask {
                while acknowledged.withLockedValue({ $0.count }) < 150 { try await Task.sleep(for: .milliseconds(5)) }
                try await daemon.stop(signal: SIGKILL)
            }
            try await group.waitForAll()
        }
        await client.shutdown()
        let answered = acknowledged.withLockedValue { $0 }
        #expect(answered.count >= 150)
        #expect(attempted.withLockedValue { $0 } > answered.count, "requests were in flight when the process died")

        // Independent checks with the sqlite3 CLI, before the daemon touches the file again.
        func sqlite(_ sql: String) async throws -> String {
            try await Subprocess.run("sqlite3", [daemon.databasePath, sql]).checked("sqlite3").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try await sqlite("PRAGMA integrity_check") == "ok")
        let stored = Set(try await sqlite("SELECT report_id FROM reports").split(separator: "\n").map(String.init))
        let missing = answered.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) acknowledged reports lost")
        #expect(try await sqlite("SELECT count(*) FROM reports r LEFT JOIN report_originals o USING (report_id) WHERE o.report_id IS NULL") == "0")
        #expect(try await sqlite("SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1 FROM receipts c WHERE c.report_id = r.report_id AND c.type = 'accepted')") == "0")
        #expect(try await sqlite("""
            SELECT count(*) FROM reports r WHERE r.status <> 'stats_only' AND NOT EXISTS
              (SELECT 1 FROM deliveries d JOIN delivery_bodies b USING (delivery_id) WHERE d.report_id = r.report_id)
            """) == "0")
        #expect(try await sqlite("SELECT count(*) FROM deliveries d LEFT JOIN delivery_bodies b USING (delivery_id) WHERE b.delivery_id IS NULL") == "0")

        // The restarted daemon serves every acknowledged report.
        try await daemon.start()
        let restarted = try RelayAPIClient(profile: profile)
        for id in answered.shuffled().prefix(40) {
            let status = try await restarted.send(.GET, "/v1/reports/\(id)")
            #expect(status.status == 200, "\(id)")
        }
        let leased = try await restarted.send(.GET, "/v1/whoami")
        #expect(leased.status == 200)
        await restarted.shutdown()
        try await daemon.stop()
    }
}
