import Foundation
import NIOConcurrencyHelpers
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

/// `relayctl backup` while the built relayd serves eight writers, then `relayctl restore` with the
/// daemon stopped: the copy verifies, holds every report acknowledged before the backup began, and
/// the daemon starts on it.
@Suite("Online backup and restore (built binaries)", .serialized)
struct BackupTests {
    @Test("backup under 8 concurrent writers, restore, verify, restart")
    func backupAndRestore() async throws {
        let daemon = try RelaydProcess()
        try await daemon.start()
        let profileJSON = try JSONParser.parse(Array(FileManager.default.contents(atPath: daemon.profile("refugee-centre"))!))
        func path(_ key: String) -> String {
            let value = profileJSON[key]!.stringValue!
            return value.hasPrefix("/") ? value : daemon.workspace.file(value)
        }
        let client = try RelayAPIClient(profile: ClientProfile(server: "https://localhost:\(daemon.apiPort)", certificate: path("cert"),
                                                               privateKey: path("key"), caBundle: path("ca"), stateDirectory: daemon.workspace.file("state")))
        let keys = try await client.keys()
        let acknowledged = NIOLockedValueBox<[String]>([])
        let stop = NIOLockedValueBox(false)
        func relayctl(_ arguments: [String]) async throws -> Subprocess.Result {
            try await Subprocess.run(Repository.binary("relayctl"), arguments + ["--config", daemon.configPath], directory: daemon.workspace.path)
        }
        let backupFile = daemon.workspace.file("backup.sqlite")
        var before: Set<String> = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    var sequence = 0
                    while !stop.withLockedValue({ $0 }) {
                        sequence += 1
                        let id = UUID()
                        let report = SampleReports.full(level: [ConsentLevel.anonymous, .identity, .statsOnly][(writer + sequence) % 3])
                        let envelope = try Envelope.seal(report.canonicalBytes, to: keys.envelopeKeys[0], purpose: .report, reportID: id)
                        let response = try await client.send(.POST, "/v1/reports", body: ["report_id": .string(id.lowercasedString), "envelope": envelope.jsonValue])
                        if response.status == 201 { acknowledged.withLockedValue { $0.append(id.lowercasedString) } }
                        if response.status == 429 { try await Task.sleep(for: .milliseconds(50)) }
                    }
                }
            }
            while acknowledged.withLockedValue({ $0.count }) < 20 { try await Task.sleep(for: .milliseconds(20)) }
            _ = try await relayctl(["audit", "checkpoint", "--new"]).checked("relayctl audit checkpoint --new")
            before = Set(acknowledged.withLockedValue { $0 })
            let backup = try await relayctl(["backup", backupFile])
            #expect(backup.status == 0, "\(backup.stdout)\(backup.stderr)")
            #expect(backup.stdout.contains("verified"))
            stop.withLockedValue { $0 = true }
            try await group.waitForAll()
        }
        await client.shutdown()
        #expect(acknowledged.withLockedValue { $0.count } > before.count, "writers kept going while the backup ran")
        let mode = try FileManager.default.attributesOfItem(atPath: backupFile)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)

        try await daemon.stop()
        let restore = try await relayctl(["restore", backupFile])
        #expect(restore.status == 0, "\(restore.stdout)\(restore.stderr)")
        let stored = try await Subprocess.run("sqlite3", [daemon.databasePath, "SELECT report_id FROM reports"]).checked("sqlite3").stdout
        let restoredIDs = Set(stored.split(separator: "\n").map(String.init))
        #expect(before.isSubset(of: restoredIDs), "every report acknowledged before the backup began is in the restored database")
        let verify = try await relayctl(["audit", "verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        try await daemon.start()
        try await daemon.stop()
    }

    @Test("a backup that does not verify is refused by restore, and nothing is replaced")
    func restoreRefusesBadCopy() async throws {
        let daemon = try RelaydProcess()
        try await daemon.start()
        try await daemon.stop()
        let bogus = daemon.workspace.file("bogus.sqlite")
        try await Subprocess.run("sqlite3", [bogus, "CREATE TABLE t (x); INSERT INTO t VALUES (1);"]).checked("sqlite3")
        let before = try Data(contentsOf: URL(fileURLWithPath: daemon.databasePath))
        let restore = try await Subprocess.run(Repository.binary("relayctl"), ["restore", bogus, "--config", daemon.configPath], directory: daemon.workspace.path)
        #expect(restore.status == 78, "\(restore.stderr)")
        #expect(restore.stderr.contains("is not a relay database of this version, so it was not used"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: daemon.databasePath)) == before)
    }
}
