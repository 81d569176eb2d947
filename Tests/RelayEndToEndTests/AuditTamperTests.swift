import Foundation
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

/// Someone with the database file edits the log with the `sqlite3` CLI; the built `relayctl audit
/// verify` must notice and name the first entry that does not match.
@Suite("Tampering with the audit log is detected by relayctl audit verify")
struct AuditTamperTests {
    /// A relay with some history and a signed checkpoint; returns it after `body`.
    func withHistory(_ body: (LiveRelay, _ verify: ([String]) async throws -> Subprocess.Result, _ sqlite: (String) async throws -> Void) async throws -> Void) async throws {
        try await withLiveRelay { relay in
            try await relay.withClient("centre-a") { client in
                for level in [ConsentLevel.anonymous, .identity, .statsOnly] {
                    _ = try await client.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(level: level)))
                }
            }
            _ = try await relay.withClient("intake-a") { try await $0.call(.POST, "/v1/intake/lease", body: ["max": 5]) }
            try await relay.database.checkpoint(origin: "reportrelay.example/log", key: relay.services.keys.signingKey, now: Date())
            let database = relay.directory.file("relay.sqlite"), keys = relay.directory.file("keys")
            func verify(_ extra: [String]) async throws -> Subprocess.Result {
                try await Subprocess.run(Repository.binary("relayctl"), ["audit", "verify", "--database", database, "--keys", keys,
                                                                         "--origin", "reportrelay.example/log"] + extra)
            }
            func sqlite(_ sql: String) async throws {
                try await Subprocess.run("sqlite3", [database, sql]).checked("sqlite3")
            }
            let clean = try await verify([])
            #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
            #expect(clean.stdout.contains("audit log verified"))
            try await body(relay, verify, sqlite)
        }
    }

    @Test("an entry's details changed")
    func edited() async throws {
        try await withHistory { _, verify, sqlite in
            try await sqlite("DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET details = replace(details, 'anonymous', 'identity_and_contact') WHERE idx = 1")
            let result = try await verify([])
            #expect(result.status == 1)
            #expect(result.stdout.contains("first entry that does not match: 1"), "\(result.stdout)")
        }
    }

    @Test("an entry deleted")
    func deleted() async throws {
        try await withHistory { _, verify, sqlite in
            try await sqlite("DROP TRIGGER audit_entries_no_delete; DELETE FROM audit_entries WHERE idx = 4")
            let result = try await verify([])
            #expect(result.status == 1)
            #expect(result.stdout.contains("first entry that does not match: 4"), "\(result.stdout)")
        }
    }

    @Test("an entry inserted")
    func inserted() async throws {
        try await withHistory { relay, verify, sqlite in
            let size = try await relay.database.auditSize()
            try await sqlite("""
                INSERT INTO audit_entries (idx, at, actor, role, action, details)
                VALUES (\(size), 1764150000000, 'centre-b', 'centre', 'consent', '{"from":"identity","to":"stats_only"}')
                """)
            let result = try await verify([])
            #expect(result.status == 1)
            #expect(result.stdout.contains("first entry that does not match: \(size)"), "\(result.stdout)")
        }
    }

    @Test("the log truncated and re-grown to the same size: caught with --against an earlier checkpoint")
    func truncatedAndRegrown() async throws {
        try await withHistory { relay, verify, sqlite in
            let saved = relay.directory.file("saved-checkpoint.txt")
            let note = try await Subprocess.run(Repository.binary("relayctl"), [
                "audit", "checkpoint", "--new", "--database", relay.directory.file("relay.sqlite"), "--keys", relay.directory.file("keys"),
                "--origin", "reportrelay.example/log",
            ]).checked("relayctl audit checkpoint").stdout
            try note.write(toFile: saved, atomically: true, encoding: .utf8)
            let size = try await relay.database.auditSize()
            let cut = size - 3
            // Rewrite history: drop the last three entries, their tree nodes and any checkpoint that covers them...
            try await sqlite("""
                DROP TRIGGER audit_entries_no_delete; DROP TRIGGER audit_nodes_no_delete; DROP TRIGGER checkpoints_no_delete;
                DELETE FROM audit_entries WHERE idx >= \(cut);
                DELETE FROM audit_nodes WHERE ((idx + 1) << level) > \(cut);
                DELETE FROM checkpoints WHERE tree_size > \(cut);
                """)
            // ...and let the relay itself grow the log back to the same size, and sign it.
            for _ in 0..<3 {
                try await relay.database.record(AuditEvent(actor: "auditor", role: "auditor", action: "auditor_read", details: ["path": "/v1/deliveries"]), at: Date())
            }
            try await relay.database.checkpoint(origin: "reportrelay.example/log", key: relay.services.keys.signingKey, now: Date())
            #expect(try await relay.database.auditSize() == size)
            let alone = try await verify([])
            #expect(alone.status == 0, "without an earlier checkpoint the rewrite is self-consistent")
            let against = try await verify(["--against", saved])
            #expect(against.status == 1)
            #expect(against.stdout.contains("rewritten"), "\(against.stdout)")
        }
    }

    @Test("verify opens the database read-only: a schema it would have to migrate is refused and left as it is")
    func verifyNeverMigrates() async throws {
        try await withHistory { relay, verify, sqlite in
            try await sqlite("DELETE FROM grdb_migrations WHERE identifier = 'v4-consent-recorded-by'")
            let refused = try await verify([])
            #expect(refused.status == 78, "\(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.contains("older schema"), "\(refused.stderr)")
            let rows = try await Subprocess.run("sqlite3", [relay.directory.file("relay.sqlite"), "SELECT count(*) FROM grdb_migrations WHERE identifier = 'v4-consent-recorded-by'"])
            #expect(rows.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "verify did not migrate the database")
        }
    }
}
