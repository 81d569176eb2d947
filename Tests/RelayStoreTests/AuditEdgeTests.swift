import Foundation
import GRDB
import RelayCore
@testable import RelayStore
import Testing

/// The audit tree's right edge is kept from one write transaction to the next
/// (`AuditTailCache`) only once a commit has succeeded; these tests fail a commit on purpose.
@Suite("The audit tree's edge kept between transactions")
struct AuditEdgeTests {
    @Test("a commit that fails after its appends leaves no gap: the next transaction appends where the log ends")
    func failedCommit() async throws {
        let store = try StoreFixture()
        try await store.submit()
        let size = try await store.database.auditSize()
        let event = AuditEvent(actor: "relay", role: "relay", action: "test")
        let now = store.clock.now
        // Foreign keys checked at COMMIT, and a row that breaks one: the body, appends included,
        // succeeds; the commit fails.
        await #expect(throws: (any Error).self) {
            try await store.database.journaledWrite { db, journal in
                try journal.record(db, event, at: now)
                try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                try db.execute(sql: """
                    INSERT INTO receipts (receipt_id, centre_id, report_id, type, body)
                    VALUES ('r-1', 'centre-a', '00000000-0000-4000-8000-000000000000', 'accepted', '{}')
                    """)
            }
        }
        #expect(try await store.database.auditSize() == size, "nothing of the failed transaction was committed")
        _ = try await store.database.record(event, at: now)
        try await store.database.checkpoint(origin: "test/log", key: store.signingKey, now: now)
        let verified = try await store.database.verifyAudit(origin: "test/log", keys: [store.signingKey.publicKey])
        #expect(verified.isValid, "\(verified.problems)")
        #expect(verified.size == size + 1)
    }
}
