import Foundation
import GRDB
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

@Suite("Audit log in the store")
struct AuditLogTests {
    /// The actions appended while `body` runs.
    func actions(_ store: StoreFixture, _ body: () async throws -> Void) async throws -> [String] {
        let before = try await store.database.auditSize()
        try await body()
        let after = try await store.database.auditSize()
        return try await store.database.auditEntries(start: before, end: after).map(\.action)
    }

    @Test("every state change leaves exactly the expected entries")
    func table() async throws {
        let store = try StoreFixture()
        let policy = QueuePolicy(maxAttempts: 2)
        #expect(try await actions(store) { try await store.submit(level: .anonymous) } == ["submission", "consent"])
        #expect(try await actions(store) { try await store.submit(level: .statsOnly) } == ["submission", "consent"])
        var item: LeasedItem!
        #expect(try await actions(store) { item = try await store.lease(maxAttempts: 2).first } == ["lease"])
        #expect(try await actions(store) {
            _ = try await store.database.extend(intakeID: "intake-a", deliveryID: item.deliveryID, leaseToken: item.leaseToken, duration: 30, now: store.clock.now, policy: store.policy)
        } == ["extend"])
        #expect(try await actions(store) {
            try await store.database.nack(intakeID: "intake-a", deliveryID: item.deliveryID, leaseToken: item.leaseToken, retryAfter: 10, now: store.clock.now, policy: policy)
        } == ["nack"])
        store.clock.advance(by: 11)
        #expect(try await actions(store) { item = try await store.lease(maxAttempts: 2).first } == ["nack_delay_ended", "lease"])
        store.clock.advance(by: 61)
        var leasedAfterLastAttempt: [LeasedItem] = []
        #expect(try await actions(store) { leasedAfterLastAttempt = try await store.lease(maxAttempts: 2) } == ["dead_letter"])
        #expect(leasedAfterLastAttempt.isEmpty)
        #expect(try await actions(store) {
            try await store.database.requeue(deliveryID: item.deliveryID, actor: .localAdmin, now: store.clock.now)
        } == ["requeue"])
        #expect(try await actions(store) { item = try await store.lease(maxAttempts: 2).first } == ["lease"])
        store.clock.advance(by: 61)
        #expect(try await actions(store) { item = try await store.lease(maxAttempts: 2).first } == ["lease_expired", "lease"])
        #expect(try await actions(store) { _ = try await store.ack(item) } == ["ack"])
        #expect(try await actions(store) { _ = try await store.ack(item) } == [], "a repeated ack changes nothing")
    }

    @Test("an entry and its state change commit together: a failing append leaves neither")
    func sameTransaction() async throws {
        let store = try StoreFixture()
        try await store.rawQueue().write { db in
            try db.execute(sql: "CREATE TRIGGER fail_ack BEFORE INSERT ON audit_entries WHEN NEW.action = 'ack' BEGIN SELECT RAISE(ABORT, 'forced'); END")
            try db.execute(sql: "CREATE TRIGGER fail_consent BEFORE INSERT ON audit_entries WHEN NEW.details LIKE '%\"to\":\"identity\"%' BEGIN SELECT RAISE(ABORT, 'forced'); END")
        }
        let submitted = try await store.submit(level: .anonymous)
        let item = try #require(try await store.lease().first)
        let size = try await store.database.auditSize()
        await #expect(throws: (any Error).self) { try await store.ack(item) }
        #expect(try await store.status(submitted.report)?.status == .leased, "the ack did not happen")
        #expect(try await store.database.receipts(centreID: "centre-a", after: 0, limit: 10).count == 1, "no delivery receipt")
        #expect(try await store.database.auditSize() == size)
        let id = UUID()
        await #expect(throws: (any Error).self) { try await store.submit(level: .identity, reportID: id) }
        #expect(try await store.status(id) == nil, "the report was not stored")
        #expect(try await store.database.auditSize() == size)
        // A batch with a failing submission between good ones: the tree stays whole.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<12 {
                group.addTask { _ = try? await store.submit(level: n % 3 == 0 ? .identity : .anonymous) }
            }
            try await group.waitForAll()
        }
        try await store.database.checkpoint(origin: "test/log", key: store.signingKey, now: store.clock.now)
        let verified = try await store.database.verifyAudit(origin: "test/log", keys: [store.signingKey.publicKey])
        #expect(verified.isValid, "\(verified.problems)")
        #expect(verified.size == size + 8 * 2, "eight good submissions, two entries each; the four failures left none")
    }

    @Test("the tree's edge kept between transactions is read again once another connection has appended")
    func edgeAfterAnotherWriter() async throws {
        let store = try StoreFixture()
        // A second opening of the same file, as `relayctl` writing beside a running relay.
        let other = try RelayDatabase(path: store.path, signer: ReceiptSigner(key: store.signingKey))
        let event = AuditEvent(actor: "local-admin", role: "admin", action: "requeue", details: ["n": 1])
        for _ in 0..<3 {
            try await store.submit()
            _ = try await other.record(event, at: store.clock.now)
            _ = try await other.record(event, at: store.clock.now)
        }
        _ = try await store.lease()
        try await store.database.checkpoint(origin: "test/log", key: store.signingKey, now: store.clock.now)
        let verified = try await store.database.verifyAudit(origin: "test/log", keys: [store.signingKey.publicKey])
        #expect(verified.isValid, "\(verified.problems)")
        #expect(verified.size == 3 * (2 + 2) + 3, "three submissions of two entries, six appended beside them, three leases")
    }

    @Test("a transaction SQLite rolls back by itself after an append leaves no gap: the next transaction appends where the log ends")
    func edgeAfterAutomaticRollback() async throws {
        let store = try StoreFixture()
        try await store.submit()
        let item = try #require(try await store.lease().first)
        // RAISE(ROLLBACK) ends the whole transaction inside SQLite, as a commit failing on a full
        // disk does: the ack has appended its entry by the time its receipt is refused.
        try await store.rawQueue().write { db in
            try db.execute(sql: "CREATE TRIGGER fail_delivered BEFORE INSERT ON receipts WHEN NEW.type = 'delivered' BEGIN SELECT RAISE(ROLLBACK, 'forced'); END")
        }
        let size = try await store.database.auditSize()
        await #expect(throws: (any Error).self) { try await store.ack(item) }
        #expect(try await store.database.auditSize() == size)
        try await store.submit()
        try await store.database.checkpoint(origin: "test/log", key: store.signingKey, now: store.clock.now)
        let verified = try await store.database.verifyAudit(origin: "test/log", keys: [store.signingKey.publicKey])
        #expect(verified.isValid, "\(verified.problems)")
        #expect(verified.size == size + 2)
    }

    @Test("a lone submission that fails after its audit entry (no savepoint) leaves neither; the next appends where the log ends")
    func loneSubmissionFailsAfterAppend() async throws {
        let store = try StoreFixture()
        try await store.submit()
        // The consent event is written after the submission's entry and receipt: refusing it fails
        // the submission with one entry already appended in its transaction.
        try await store.rawQueue().write { db in
            try db.execute(sql: "CREATE TRIGGER fail_consent BEFORE INSERT ON consent_events BEGIN SELECT RAISE(ABORT, 'forced'); END")
        }
        let size = try await store.database.auditSize()
        await #expect(throws: (any Error).self) { try await store.submit() }
        #expect(try await store.database.auditSize() == size)
        try await store.rawQueue().write { db in try db.execute(sql: "DROP TRIGGER fail_consent") }
        try await store.submit()
        try await store.database.checkpoint(origin: "test/log", key: store.signingKey, now: store.clock.now)
        let verified = try await store.database.verifyAudit(origin: "test/log", keys: [store.signingKey.publicKey])
        #expect(verified.isValid, "\(verified.problems)")
        #expect(verified.size == size + 2, "the next submission's entry and its consent's")
    }

    @Test("each report's history holds its own queue events: lease, extend, nack, ack and dead letters land on the right report")
    func queueEventsOnTheirReport() async throws {
        let store = try StoreFixture()
        let reports = try await [store.submit(), store.submit(), store.submit()].map(\.report.lowercasedString)
        let policy = QueuePolicy(maxAttempts: 1)
        let leased = try await store.lease(max: 3, maxAttempts: 1)
        #expect(leased.map(\.reportID) == reports)
        let now = store.clock.now
        _ = try await store.database.extend(intakeID: "intake-a", deliveryID: leased[0].deliveryID, leaseToken: leased[0].leaseToken,
                                            duration: 60, now: now, policy: policy)
        _ = try await store.ack(leased[0])
        // A nack with attempts left hides the item; the third lease runs out and, with one attempt
        // allowed, the next lease call dead-letters it (and whatever the nack's delay released).
        try await store.database.nack(intakeID: "intake-a", deliveryID: leased[1].deliveryID, leaseToken: leased[1].leaseToken,
                                      retryAfter: 30, now: now, policy: QueuePolicy(maxAttempts: 3))
        store.clock.advance(by: 120)
        _ = try await store.lease(max: 3, maxAttempts: 1)
        var histories: [[String]] = []
        for report in reports { histories.append(try await store.database.auditHistory(reportID: report).map(\.action)) }
        #expect(histories[0] == ["submission", "consent", "lease", "extend", "ack"], "\(histories[0])")
        #expect(histories[1].count == 5 && histories[1].prefix(4) == ["submission", "consent", "lease", "nack"], "\(histories[1])")
        #expect(histories[2] == ["submission", "consent", "lease", "dead_letter"], "\(histories[2])")
        let entries = try await store.database.auditEntries(start: 0, end: 100)
        for (report, history) in zip(reports, histories) {
            #expect(entries.filter { $0.reportID == report }.count == history.count, "every entry naming \(report) is in its history")
        }
    }

    @Test("entries hold no personal data")
    func noPersonalData() async throws {
        let store = try StoreFixture()
        try await store.submit(level: .identityAndContact)
        let item = try #require(try await store.lease().first)
        _ = try await store.ack(item)
        let text = try await store.database.auditEntries(start: 0, end: 100).map(\.jsonValue.canonicalString).joined(separator: "\n")
        #expect(text.contains("submission") && text.contains("consent_level"))
        for identity in SampleReports.identityStrings { #expect(!text.contains(identity)) }
    }

    @Test("a receipt's audit_index names its own entry, provably in a signed checkpoint")
    func receiptInclusion() async throws {
        let store = try StoreFixture()
        let submitted = try await store.submit()
        let item = try #require(try await store.lease().first)
        _ = try await store.ack(item)
        for (_, json) in try await store.database.receipts(centreID: "centre-a", after: 0, limit: 10) {
            let receipt = try #require(json["receipt"])
            let receiptID = try #require(receipt["receipt_id"]?.stringValue)
            let index = try #require(receipt["audit_index"]?.numberValue).map { Int($0) }
            let proof = try #require(try await store.database.receiptProof(centreID: "centre-a", receiptID: receiptID, origin: "test/log",
                                                                            key: store.signingKey, now: store.clock.now))
            #expect(proof.entry.index == index)
            #expect(proof.entry.details["receipt_id"] == .string(receiptID))
            #expect(proof.entry.reportID == submitted.report.lowercasedString)
            let text = try #require(SignedNote.verify(note: proof.checkpoint.note, name: "test/log", key: store.signingKey.publicKey))
            let checkpoint = try #require(Checkpoint(body: text))
            #expect(MerkleTree.verifyInclusion(leafHash: proof.entry.leafHash, index: proof.entry.index, size: checkpoint.size,
                                               proof: proof.hashes, root: checkpoint.root))
            #expect(try await store.database.receiptProof(centreID: "centre-b", receiptID: receiptID, origin: "test/log",
                                                          key: store.signingKey, now: store.clock.now) == nil)
        }
    }

    @Test("verification recomputes the tree: an untouched log verifies")
    func verifies() async throws {
        let store = try StoreFixture()
        for _ in 0..<5 { try await store.submit() }
        try await store.database.checkpoint(origin: "test/log", key: store.signingKey, now: store.clock.now)
        _ = try await store.lease()
        let result = try await store.database.verifyAudit(origin: "test/log", keys: [store.signingKey.publicKey])
        #expect(result.isValid, "\(result.problems)")
        #expect(result.size == 15, "5 × (submission, consent) + 5 leases")
        #expect(result.checkpointSize == 10)
    }

    @Test("the database refuses to rewrite the log through SQL while its triggers stand")
    func appendOnly() async throws {
        let store = try StoreFixture()
        try await store.submit()
        await #expect(throws: DatabaseError.self) {
            try await store.rawQueue().write { try $0.execute(sql: "UPDATE audit_entries SET actor = 'x' WHERE idx = 0") }
        }
        await #expect(throws: DatabaseError.self) {
            try await store.rawQueue().write { try $0.execute(sql: "DELETE FROM audit_entries WHERE idx = 0") }
        }
    }
}
