import Crypto
import Foundation
import GRDB
import RelayCore
import RelayStore
import RelayTestSupport

/// A store on a real SQLite file in a temporary directory, with a signing key and a clock.
struct StoreFixture {
    let directory: TemporaryDirectory
    let database: RelayDatabase
    let signingKey = Curve25519.Signing.PrivateKey()
    let clock = TestClock(RFC3339.parse("2026-11-25T12:00:00Z")!)
    var path: String { directory.file("relay.sqlite") }
    /// The fixture's queue limits (three attempts, as in the relay's tests).
    let policy = QueuePolicy(maxAttempts: 3)

    init(backgroundBackfill: Bool = false) throws {
        directory = try TemporaryDirectory("store")
        database = try RelayDatabase(path: directory.file("relay.sqlite"), signer: ReceiptSigner(key: signingKey), backgroundBackfill: backgroundBackfill)
    }

    /// Submits a report routed to `intake` (or not forwarded for `stats_only`); returns its ids.
    @discardableResult
    func submit(risk: Risk = .standard, level: ConsentLevel = .anonymous, intake: String = "intake-a", centre: String = "centre-a",
                reportID: UUID = UUID(), fingerprint: String = String(repeating: "0", count: 64)) async throws -> (report: UUID, delivery: UUID?, outcome: SubmitOutcome) {
        let report = try ReportValidator().validate(document: SampleReports.full(level: level, risk: risk.rawValue), now: SampleReports.now)
        let deliveryID = level.isForwarded ? UUID() : nil
        let submission = NewSubmission(
            reportID: reportID, centreID: centre, envelopeSHA256: fingerprint, originalEnvelope: #"{"sealed":"original"}"#,
            payloadSHA256: String(repeating: "1", count: 64), report: ReportFacts(report: report),
            pseudonym: nil,
            delivery: deliveryID.map { NewDelivery(deliveryID: $0, intakeID: intake, kind: .report, envelope: #"{"sealed":"view"}"#,
                                                  payloadSHA256: String(repeating: "2", count: 64)) },
            acceptedAt: clock.now)
        let outcome = try await database.submit(submission)
        return (reportID, deliveryID, outcome)
    }

    func lease(_ intake: String = "intake-a", max: Int = 10, seconds: TimeInterval = 60, maxAttempts: Int = 3) async throws -> [LeasedItem] {
        try await database.lease(intakeID: intake, max: max, duration: seconds, now: clock.now, policy: QueuePolicy(maxAttempts: maxAttempts))
    }

    func ack(_ item: LeasedItem, token: String? = nil, intake: String = "intake-a", reference: String? = "CAD-1") async throws -> AckResult {
        try await database.ack(intakeID: intake, acks: [AckRequest(deliveryID: item.deliveryID, leaseToken: token ?? item.leaseToken, policeReference: reference)],
                                now: clock.now, policy: policy)[0]
    }

    func status(_ report: UUID, centre: String = "centre-a") async throws -> ReportStatusRecord? {
        try await database.reportStatus(reportID: report, centreID: centre)
    }

    /// A second connection to the same file, as an operator's `sqlite3` would be.
    func rawQueue() throws -> DatabaseQueue { try DatabaseQueue(path: path) }
}
