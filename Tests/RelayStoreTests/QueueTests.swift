import Foundation
import GRDB
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

@Suite("Forwarding queue (injected clock)")
struct QueueTests {
    @Test("high risk first, then oldest")
    func priority() async throws {
        let store = try StoreFixture()
        let first = try await store.submit(risk: .standard)
        store.clock.advance(by: 1)
        let urgent = try await store.submit(risk: .high)
        store.clock.advance(by: 1)
        let last = try await store.submit(risk: .standard)
        let items = try await store.lease()
        #expect(items.map(\.reportID) == [urgent, first, last].map { $0.report.lowercasedString })
        #expect(items.map(\.risk) == [.high, .standard, .standard])
    }

    @Test("an intake sees only its own queue")
    func ownQueue() async throws {
        let store = try StoreFixture()
        let mine = try await store.submit(intake: "intake-a")
        let theirs = try await store.submit(intake: "intake-b")
        #expect(try await store.lease("intake-a").map(\.reportID) == [mine.report.lowercasedString])
        let other = try await store.lease("intake-b")
        #expect(other.map(\.reportID) == [theirs.report.lowercasedString])
        #expect(try await store.ack(other[0], intake: "intake-a").outcome == .unknown)
    }

    @Test("a leased item is invisible until its lease expires, then redelivered with a new token")
    func expiry() async throws {
        let store = try StoreFixture()
        let submitted = try await store.submit()
        let first = try #require(try await store.lease().first)
        #expect(first.attempts == 1)
        #expect(try await store.status(submitted.report)?.status == .leased)
        store.clock.advance(by: 59)
        #expect(try await store.lease().isEmpty)
        store.clock.advance(by: 2)
        let second = try #require(try await store.lease().first)
        #expect(second.deliveryID == first.deliveryID)
        #expect(second.attempts == 2)
        #expect(second.leaseToken != first.leaseToken)
        #expect(Base64URL.decode(first.leaseToken)?.count == 16 && first.leaseToken.count == 22, "128 random bits, base64url")
        #expect(try await store.status(submitted.report)?.attempts == 2)
        #expect(try await store.ack(first).outcome == .staleLease)
        #expect(try await store.ack(second).outcome == .delivered)
    }

    @Test("queue gauges per intake: counts, when the head became visible, and the dead letters of an intake no longer configured")
    func gauges() async throws {
        let store = try StoreFixture()
        try await store.submit(intake: "intake-z")
        for _ in 1...3 {
            _ = try await store.lease("intake-z", max: 10)
            store.clock.advance(by: 61)
        }
        _ = try await store.lease("intake-z", max: 10)
        let first = store.clock.now
        try await store.submit()
        store.clock.advance(by: 10)
        try await store.submit(risk: .high)
        store.clock.advance(by: 10)
        try await store.submit()
        #expect(try await store.lease(max: 1).first?.risk == .high)
        let gauges = try await store.database.queueGauges(intakes: ["intake-a", "intake-b"])
        func gauge(_ intake: String) -> RelayDatabase.QueueGauge? { gauges.first { $0.intakeID == intake } }
        #expect(gauge("intake-a")?.queued == 2)
        #expect(gauge("intake-a")?.oldestVisible == first, "the standard item submitted first heads the queue")
        #expect(gauge("intake-a")?.leased == 1)
        #expect(gauge("intake-a")?.deadLetters == 0)
        #expect(gauge("intake-b")?.queued == 0)
        #expect(gauge("intake-b").map { $0.oldestVisible == nil } == true)
        #expect(gauge("intake-z")?.deadLetters == 1)
        #expect(gauges.map(\.intakeID) == ["intake-a", "intake-b", "intake-z"], "one gauge per intake, configured ones first")
    }

    @Test("the waiting-time gauge is not masked by expired leases put back at the head of the queue")
    func gaugeBehindExpiredLeases() async throws {
        let store = try StoreFixture()
        try await store.submit()
        store.clock.advance(by: 10)
        try await store.submit()
        store.clock.advance(by: 10)
        let third = store.clock.now
        try await store.submit()
        #expect(try await store.lease(max: 2).count == 2)
        store.clock.advance(by: 61)
        // This lease puts both expired items back in line with the current time, and takes the first.
        #expect(try await store.lease(max: 1).count == 1)
        let gauges = try await store.database.queueGauges(intakes: ["intake-a"])
        let queued = try #require(gauges.first { $0.intakeID == "intake-a" })
        #expect(queued.queued == 2)
        #expect(queued.oldestVisible == third, "the third item, never leased, has waited longest")
        // An intake that is not configured but holds items still has its series.
        try await store.submit(intake: "intake-gone")
        #expect(try await store.database.queueGauges(intakes: ["intake-a"]).contains { $0.intakeID == "intake-gone" && $0.queued == 1 })
    }

    @Test("after max attempts an item goes to the dead letters, with a signed dead-letter receipt")
    func deadLetter() async throws {
        let store = try StoreFixture()
        let submitted = try await store.submit()
        for attempt in 1...3 {
            let item = try #require(try await store.lease(maxAttempts: 3).first)
            #expect(item.attempts == attempt)
            store.clock.advance(by: 61)
        }
        #expect(try await store.lease(maxAttempts: 3).isEmpty)
        #expect(try await store.status(submitted.report)?.status == .deadLetter)
        let receipts = try await store.database.receipts(centreID: "centre-a", after: 0, limit: 10)
        #expect(receipts.map { $0.receipt["receipt"]?["type"] } == ["accepted", "dead_letter"])
        let signed = try #require(SignedReceipt(json: receipts[1].receipt))
        #expect(signed.verify(with: [store.signingKey.publicKey]))
        #expect(try await store.database.deliveryCounts()[.deadLetter] == 1)
    }

    @Test("nack with a delay hides the item for the delay; without one it is redelivered at once")
    func nack() async throws {
        let store = try StoreFixture()
        let submitted = try await store.submit()
        let item = try #require(try await store.lease().first)
        try await store.database.nack(intakeID: "intake-a", deliveryID: item.deliveryID, leaseToken: item.leaseToken, retryAfter: 30,
                                      now: store.clock.now, policy: QueuePolicy(maxAttempts: 3))
        #expect(try await store.status(submitted.report)?.status == .queued)
        #expect(try await store.lease().isEmpty)
        store.clock.advance(by: 31)
        let again = try #require(try await store.lease().first)
        #expect(again.deliveryID == item.deliveryID)
        try await store.database.nack(intakeID: "intake-a", deliveryID: again.deliveryID, leaseToken: again.leaseToken, retryAfter: 0,
                                      now: store.clock.now, policy: QueuePolicy(maxAttempts: 3))
        #expect(try await store.lease().first?.attempts == 3)
        await #expect(throws: StoreError.staleLease) {
            try await store.database.nack(intakeID: "intake-a", deliveryID: item.deliveryID, leaseToken: item.leaseToken, retryAfter: 0,
                                          now: store.clock.now, policy: QueuePolicy(maxAttempts: 3))
        }
    }

    @Test("extend keeps a live lease; a stale or expired lease cannot be extended")
    func extend() async throws {
        let store = try StoreFixture()
        try await store.submit()
        let item = try #require(try await store.lease().first)
        store.clock.advance(by: 50)
        let expires = try await store.database.extend(intakeID: "intake-a", deliveryID: item.deliveryID, leaseToken: item.leaseToken,
                                                      duration: 60, now: store.clock.now, policy: store.policy)
        #expect(expires == store.clock.now.addingTimeInterval(60))
        store.clock.advance(by: 20)
        #expect(try await store.lease().isEmpty, "the extended lease still hides the item")
        await #expect(throws: StoreError.staleLease) {
            try await store.database.extend(intakeID: "intake-a", deliveryID: item.deliveryID, leaseToken: "not-the-token", duration: 60, now: store.clock.now, policy: store.policy)
        }
        store.clock.advance(by: 41)
        await #expect(throws: StoreError.staleLease) {
            try await store.database.extend(intakeID: "intake-a", deliveryID: item.deliveryID, leaseToken: item.leaseToken, duration: 60, now: store.clock.now, policy: store.policy)
        }
        #expect(try await store.lease().first?.deliveryID == item.deliveryID)
    }

    @Test("ack is idempotent with the last token and returns the same signed receipt")
    func idempotentAck() async throws {
        let store = try StoreFixture()
        let submitted = try await store.submit()
        let item = try #require(try await store.lease().first)
        let first = try await store.ack(item, reference: "CAD-42")
        #expect(first.outcome == .delivered)
        let receipt = try #require(first.receipt)
        #expect(receipt["receipt"]?["type"] == "delivered")
        #expect(receipt["receipt"]?["police_reference"] == "CAD-42")
        #expect(receipt["receipt"]?["intake_id"] == "intake-a")
        #expect(SignedReceipt(json: receipt)?.verify(with: [store.signingKey.publicKey]) == true)
        store.clock.advance(by: 5)
        let repeated = try await store.ack(item, reference: "CAD-42")
        #expect(repeated == first)
        #expect(try await store.ack(item, token: "another").outcome == .staleLease)
        let status = try #require(try await store.status(submitted.report))
        #expect(status.status == .delivered)
        #expect(status.policeReference == "CAD-42")
        #expect(status.intakeID == "intake-a")
        #expect(try await store.database.receipts(centreID: "centre-a", after: 0, limit: 10).count == 2)
        let unknown = try await store.database.ack(intakeID: "intake-a", acks: [AckRequest(deliveryID: UUID().lowercasedString, leaseToken: "t")], now: store.clock.now,
                                                      policy: store.policy)
        #expect(unknown.map(\.outcome) == [.unknown])
    }

    @Test("submission is idempotent on report_id: same envelope → the original body, different → conflict")
    func idempotentSubmit() async throws {
        let store = try StoreFixture()
        let id = UUID()
        let created = try await store.submit(reportID: id, fingerprint: String(repeating: "a", count: 64))
        guard case .created(let body) = created.outcome else { Issue.record("expected created"); return }
        let again = try await store.submit(reportID: id, fingerprint: String(repeating: "a", count: 64))
        #expect(again.outcome == .duplicate(body))
        let different = try await store.submit(reportID: id, fingerprint: String(repeating: "b", count: 64))
        #expect(different.outcome == .conflict)
        let otherCentre = try await store.submit(centre: "centre-b", reportID: id, fingerprint: String(repeating: "a", count: 64))
        #expect(otherCentre.outcome == .conflict)
        #expect(try await store.database.deliveryCounts()[.queued] == 1, "a retry enqueues nothing")
    }

    @Test("stats_only reports are stored and counted, never queued")
    func statsOnly() async throws {
        let store = try StoreFixture()
        let submitted = try await store.submit(level: .statsOnly)
        #expect(try await store.status(submitted.report)?.status == .statsOnly)
        #expect(try await store.status(submitted.report)?.intakeID == nil)
        #expect(try await store.lease().isEmpty)
        #expect(try await store.database.deliveryCounts().isEmpty)
    }

    @Test("a centre sees only its own reports")
    func ownReports() async throws {
        let store = try StoreFixture()
        let mine = try await store.submit(centre: "centre-a")
        #expect(try await store.status(mine.report, centre: "centre-b") == nil)
        #expect(try await store.database.reports(centreID: "centre-b", status: nil, after: nil, limit: 10).isEmpty)
        #expect(try await store.database.reports(centreID: "centre-a", status: .queued, after: nil, limit: 10).count == 1)
    }
}

@Suite("Group commit")
struct GroupCommitTests {
    @Test("concurrent submits share transactions, each answered with its own outcome")
    func shared() async throws {
        let store = try StoreFixture()
        let duplicate = UUID()
        try await store.submit(reportID: duplicate, fingerprint: String(repeating: "d", count: 64))
        let outcomes = try await withThrowingTaskGroup(of: SubmitOutcome.self) { group in
            for n in 0..<64 {
                group.addTask {
                    // Every eighth one clashes with an earlier report: it must fail alone.
                    n % 8 == 0
                        ? try await store.submit(reportID: duplicate, fingerprint: String(repeating: "e", count: 64)).outcome
                        : try await store.submit().outcome
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { if case .created = $0 { true } else { false } }.count == 56)
        #expect(outcomes.filter { $0 == .conflict }.count == 8)
        let counts = store.database.groupCommitCounts
        #expect(counts.submissions == 65)
        #expect(counts.batches < counts.submissions, "some transactions carried several submits (\(counts.batches) for \(counts.submissions))")
        #expect(try await store.database.deliveryCounts()[.queued] == 57)
        let result = try await store.database.verifyAudit(origin: "test/log", keys: [store.signingKey.publicKey])
        #expect(result.problems == ["no signed checkpoint exists yet; run `relayctl audit checkpoint` on the running relay"], "the log is intact")
    }
}
