import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// Retention with the built binaries and an injected clock (`relayctl purge --now`): a dry run
/// counts and changes nothing; a real run removes the sealed bodies — `strings` finds none of
/// their ciphertext in the database files — while rows, receipts and the audit log stay and
/// verify; a withdrawal after the original was purged still reaches police.
@Suite("Retention and purge (built binaries)", .serialized)
struct PurgeEndToEndTests {
    func sqlite(_ daemon: RelaydProcess, _ sql: String) async throws -> String {
        try await Subprocess.run("sqlite3", [daemon.databasePath, sql]).checked("sqlite3").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A 40-character run of every stored body's ciphertext (base64url text in the database).
    func ciphertexts(_ daemon: RelaydProcess) async throws -> [String] {
        let rows = try await sqlite(daemon, "SELECT envelope FROM report_originals UNION ALL SELECT envelope FROM delivery_bodies")
        return try rows.split(separator: "\n").map { try #require(JSONParser.parse(Array($0.utf8))["ct"]?.stringValue).prefix(40).description }
    }

    /// What `strings` finds in the database file and its WAL.
    func strings(_ daemon: RelaydProcess) async throws -> String {
        var text = ""
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: daemon.databasePath + suffix) {
            text += try await Subprocess.run("strings", ["-n", "20", daemon.databasePath + suffix]).checked("strings").stdout
        }
        return text
    }

    func purge(_ daemon: RelaydProcess, days: Double, dryRun: Bool) async throws -> String {
        let at = RFC3339.format(Date().addingTimeInterval(days * 86_400))
        return try await daemon.relayctl(["purge", "--now", at] + (dryRun ? ["--dry-run"] : [])).checked("relayctl purge").stdout
    }

    @Test("dry run counts, a real run removes the bodies from the file, receipts and the log still verify, a later withdrawal still reaches police")
    func purgeAll() async throws {
        let daemon = try RelaydProcess()
        try await daemon.start()
        let centre = daemon.profile("traveller-centre"), intake = daemon.profile("met-intake")
        var ids: [String] = []
        // Anonymous (delivered), identity_and_contact (delivered, then withdrawn), stats_only from the start.
        for seed in ["01-verbal-abuse-bus-stop.json", "03-online-threats-community-group.json", "02-criminal-damage-trailer.json"] {
            let out = try await daemon.relay(["submit", "--profile", centre, "\(Repository.root)/seeds/traveller-centre/\(seed)"]).checked("relay submit").stdout
            ids.append(try #require(out.components(separatedBy: "accepted as ").last?.prefix(36)).description)
        }
        func deliverAll(_ name: String) async throws {
            let out = daemon.workspace.file(name)
            try await daemon.relay(["lease", "--profile", intake, "--out", out]).checked("relay lease")
            let files = try FileManager.default.contentsOfDirectory(atPath: out).map { "\(out)/\($0)" }
            try await daemon.relay(["ack", "--profile", intake] + files).checked("relay ack")
        }
        try await deliverAll("leased")
        // The second report's consent is withdrawn after delivery; police get the consent update.
        try await daemon.relay(["consent", "--profile", centre, ids[1], "--level", "stats_only", "--method", "phone"]).checked("relay consent")
        try await deliverAll("updates")
        let stored = try await ciphertexts(daemon)
        #expect(stored.count == 6, "three originals, two police views, one consent update")
        let before = try await strings(daemon)
        #expect(stored.allSatisfy(before.contains), "strings finds every ciphertext before the purge")

        // Before any period has passed: nothing due. After 31 days: views and the withdrawn report, dry.
        #expect(try await purge(daemon, days: 1, dryRun: true).contains("dry run: 0 sealed bodies would be removed"))
        let dry = try await purge(daemon, days: 31, dryRun: true)
        #expect(dry.contains("police_views_after_delivery: 3") && dry.contains("withdrawn_originals: 2"), "\(dry)")
        #expect(try await ciphertexts(daemon).count == 6, "a dry run changes nothing")

        // After 100 days everything is due: removed, and gone from the files.
        let real = try await purge(daemon, days: 100, dryRun: false)
        #expect(real.contains("6 sealed bodies removed"), "\(real)")
        #expect(try await sqlite(daemon, "SELECT count(*) FROM report_originals") == "0")
        #expect(try await sqlite(daemon, "SELECT count(*) FROM delivery_bodies") == "0")
        #expect(try await sqlite(daemon, "SELECT count(*) FROM reports") == "3", "rows keep their ids, states and times")
        let after = try await strings(daemon)
        for ct in stored { #expect(!after.contains(ct), "ciphertext still in the database files") }
        #expect(try await purge(daemon, days: 100, dryRun: false).contains("0 sealed bodies removed"))

        // Receipts and the audit log still verify; the purge is one audit entry with counts.
        let receipts = try await daemon.relay(["receipts", "--profile", centre, "--from-start", "--prove"]).checked("relay receipts --prove").stdout
        #expect(receipts.contains("receipt(s) verified") && !receipts.contains("NOT PROVED"))
        try await daemon.relayctl(["audit", "verify"]).checked("relayctl audit verify")
        let entries = try await daemon.relayctl(["audit", "entries", "--format", "jsonl"]).checked("relayctl audit entries").stdout
        let purges = entries.split(separator: "\n").filter { $0.contains("\"action\":\"purge\"") }
        #expect(purges.count == 1 && purges[0].contains("\"police_views_after_delivery\":3"), "\(purges)")

        // The first report's original is gone; a withdrawal now still tells police to erase the identity.
        let changed = try await daemon.relay(["consent", "--profile", centre, ids[0], "--level", "stats_only", "--method", "phone"]).checked("relay consent after purge")
        #expect(changed.stdout.contains("effect update_forwarded"), "\(changed.stdout)")
        let out = daemon.workspace.file("late-update")
        try await daemon.relay(["lease", "--profile", intake, "--out", out]).checked("relay lease")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: out).first)
        let item = try JSONParser.parse(Array(FileManager.default.contents(atPath: "\(out)/\(file)")!))
        #expect(item["view"]?["required_action"] == "erase_identity")
        #expect(item["view"]?["original_purged"] == true)
        #expect(item["view"]?["fields"]?.arrayValue?.contains("/victim") == true)
        try await daemon.stop()
    }
}
