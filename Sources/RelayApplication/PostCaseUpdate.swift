import Crypto
import Foundation
import RelayConfig
import RelayCore
import RelayStore

/// An intake's case update as read from the request (`POST /v1/intake/reports/{id}/updates`).
public struct CaseUpdateRequest: Sendable {
    public var reportID: UUID
    public var updateID: UUID
    public var status: CaseUpdateStatus
    public var outcome: PoliceOutcome?
    public var occurredAt: Date
    /// The message sealed to the centre's key (purpose `update`), if any.
    public var message: Envelope?
    /// SHA-256 (hex) of the request body's JCS bytes: the idempotency fingerprint, and the
    /// receipt's `payload_sha256` when there is no message.
    public var bodySHA256: String

    public init(reportID: UUID, updateID: UUID, status: CaseUpdateStatus, outcome: PoliceOutcome?, occurredAt: Date, message: Envelope?,
                canonicalBody: [UInt8]) {
        self.reportID = reportID
        self.updateID = updateID
        self.status = status
        self.outcome = outcome
        self.occurredAt = occurredAt
        self.message = message
        self.bodySHA256 = Hex.encode(SHA256.hash(data: canonicalBody))
    }
}

/// A centre's published update key, as an intake fetches it to seal a message.
public struct CentreUpdateKey: Sendable {
    public var reportID: UUID
    public var centreID: String
    public var publicKey: Curve25519.KeyAgreement.PublicKey
}

/// Updates back to the centre (the victim journey): the intake that received a report tells
/// the centre that sent it how the case goes. The relay checks who may post and keeps the
/// update; it never opens the message, which is sealed to the centre's own key.
extension RelayApplication {
    /// Accepts an update (`created` is `false` for a retry answered as before).
    public func postUpdate(_ request: CaseUpdateRequest, intakeID: String) async throws -> (accepted: AcceptedUpdate, created: Bool) {
        guard let target = try await store.updateTarget(reportID: request.reportID, intakeID: intakeID) else { throw RelayError.notFound }
        var message: String?
        var payloadSHA256 = request.bodySHA256
        if let envelope = request.message {
            // The relay cannot open the message, but it can refuse one the centre could not open either.
            guard envelope.suite == Envelope.suiteName else { throw RelayError.unsupportedEnvelopeSuite }
            let key = try centreKey(target.centreID)
            guard envelope.keyID == EnvelopeKeyID.of(key) else { throw RelayError.unknownEnvelopeKey(known: [EnvelopeKeyID.of(key)]) }
            message = envelope.jsonValue.canonicalString
            payloadSHA256 = envelope.payloadSHA256
        }
        let outcome = try await store.postUpdate(NewCaseUpdate(
            updateID: request.updateID, reportID: request.reportID, intakeID: intakeID, status: request.status, outcome: request.outcome,
            occurredAt: request.occurredAt, message: message, payloadSHA256: payloadSHA256, requestSHA256: request.bodySHA256,
            receivedAt: now()))
        switch outcome {
        case .created(let accepted): return (accepted, true)
        case .duplicate(let accepted): return (accepted, false)
        case .notFound: throw RelayError.notFound
        case .conflict: throw RelayError.updateIDInUse
        case .onlyClosedAccepted: throw RelayError.onlyClosedAfterWithdrawal
        }
    }

    /// The key to seal an update's message to: that of the centre that sent the report, for the
    /// intake that received it.
    public func centreUpdateKey(reportID: UUID, intakeID: String) async throws -> CentreUpdateKey {
        guard let target = try await store.updateTarget(reportID: reportID, intakeID: intakeID) else { throw RelayError.notFound }
        return CentreUpdateKey(reportID: reportID, centreID: target.centreID, publicKey: try centreKey(target.centreID))
    }

    /// The centre acknowledges updates it has shown its caseworker.
    public func ackUpdates(centreID: String, updateIDs: [UUID]) async throws -> [UpdateAckResult] {
        try await store.ackUpdates(centreID: centreID, updateIDs: updateIDs, now: now())
    }

    func centreKey(_ centreID: String) throws -> Curve25519.KeyAgreement.PublicKey {
        guard let key = registry.directory.principal(id: centreID)?.hpkePublicKey else { throw RelayError.noUpdateKey }
        return key
    }
}
