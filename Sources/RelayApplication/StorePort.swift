import Foundation
import RelayCore
import RelayStore

/// The operations the application asks of its store, by name. `RelayDatabase` (SQLite) is the
/// one backend today; another (PostgreSQL) implements this protocol without the server or the
/// use cases changing.
public protocol RelayStorePort: Sendable {
    // Submit
    func existingSubmission(reportID: UUID, centreID: String, envelopeSHA256: String) async throws -> SubmitOutcome?
    func previousReports(pseudonym: String) async throws -> Int
    func submit(_ submission: NewSubmission) async throws -> SubmitOutcome
    // Consent
    func consentChangeContext(reportID: UUID, centreID: String) async throws -> ConsentChangeContext?
    func changeConsent(_ context: ConsentChangeContext, centreID: String, to consent: Consent, plan: ConsentChangePlan,
                       delivery: NewDelivery?, now: Date) async throws -> ReportStatus
    // Queue
    func lease(intakeID: String, max: Int, duration: TimeInterval, now: Date, policy: QueuePolicy) async throws -> [LeasedItem]
    func ack(intakeID: String, acks: [AckRequest], now: Date, policy: QueuePolicy) async throws -> [AckResult]
    func nack(intakeID: String, deliveryID: String, leaseToken: String, retryAfter: TimeInterval, now: Date, policy: QueuePolicy) async throws
    func extend(intakeID: String, deliveryID: String, leaseToken: String, duration: TimeInterval, now: Date, policy: QueuePolicy) async throws -> Date
    func requeue(deliveryID: String, actor: AuditActor, now: Date) async throws
    // Case updates
    func updateTarget(reportID: UUID, intakeID: String) async throws -> UpdateTarget?
    func postUpdate(_ update: NewCaseUpdate) async throws -> CaseUpdateOutcome
    func ackUpdates(centreID: String, updateIDs: [UUID], now: Date) async throws -> [UpdateAckResult]
    // Audit
    @discardableResult
    func record(_ event: AuditEvent, at: Date) async throws -> Int?
}

extension RelayDatabase: RelayStorePort {}
