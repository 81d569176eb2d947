import Crypto
import Foundation
import RelayConfig
import RelayCore
import RelayStore

/// A centre's submission as read from the request: the id and the sealed envelope, with its
/// canonical bytes computed once (they are both the idempotency fingerprint and what is stored).
public struct SubmitRequest: Sendable {
    public var reportID: UUID
    public var envelope: Envelope
    /// The envelope's canonical JSON (JCS).
    public var canonicalEnvelope: String
    /// SHA-256 (hex) of the canonical envelope: the idempotency fingerprint.
    public var envelopeSHA256: String

    public init(reportID: UUID, envelope: Envelope) {
        self.reportID = reportID
        self.envelope = envelope
        let canonical = envelope.jsonValue.canonicalBytes
        self.canonicalEnvelope = String(decoding: canonical, as: UTF8.self)
        self.envelopeSHA256 = Hex.encode(SHA256.hash(data: canonical))
    }
}

extension RelayApplication {
    /// Accepts a centre's report: a retry is answered from the store before any cryptography;
    /// otherwise the envelope is opened, the report validated, consent applied, the police view
    /// sealed to the routed intake, and everything stored in one group-committed transaction.
    public func submit(_ request: SubmitRequest, centre: Principal) async throws -> SubmitOutcome {
        if let earlier = try await store.existingSubmission(reportID: request.reportID, centreID: centre.id, envelopeSHA256: request.envelopeSHA256) {
            return earlier
        }
        return try await store.submit(try await prepare(request, centre: centre))
    }

    /// All the work that needs no transaction, before the store is touched for writing.
    func prepare(_ request: SubmitRequest, centre: Principal) async throws -> NewSubmission {
        let now = self.now()
        let plaintext: Data, payloadSHA256: String
        do {
            // The ciphertext is decoded once, here: the request only checked its alphabet.
            (plaintext, payloadSHA256) = try request.envelope.openWithPayloadDigest(with: keys.envelopeKeys, purpose: .report, reportID: request.reportID)
        } catch {
            throw RelayError(error)
        }
        let report: Report
        do {
            report = try ReportValidator().validate(bytes: plaintext, now: now)
        } catch {
            throw RelayError.invalidReport(error.violations)
        }
        let pseudonym = VictimPseudonym.derive(identity: report.victim, secret: keys.pseudonymSecret)
        var delivery: NewDelivery?
        var redactions: [Redaction] = []
        if report.consent.level.isForwarded {
            guard let intake = registry.directory.intake(borough: report.borough, policeForceArea: report.policeForceArea),
                  let intakeKey = intake.hpkePublicKey else {
                throw RelayError.noIntake(detail: "No police intake is configured for this report's area.")
            }
            var previous = 0
            if let pseudonym { previous = try await store.previousReports(pseudonym: pseudonym) }
            let context = PoliceViewContext(reportID: request.reportID, centreID: centre.id, centreName: centre.name,
                                            previousReports: previous, pseudonym: pseudonym)
            guard let view = PoliceViewBuilder.build(report: report, consent: report.consent, context: context) else {
                preconditionFailure("a forwarded consent level always yields a view")
            }
            redactions = view.redactions
            delivery = try NewDelivery.sealing(view.document, to: intakeKey, intakeID: intake.id, kind: .report, reportID: request.reportID, at: now)
        }
        return NewSubmission(
            reportID: request.reportID, centreID: centre.id, envelopeSHA256: request.envelopeSHA256,
            originalEnvelope: request.canonicalEnvelope, payloadSHA256: payloadSHA256,
            report: ReportFacts(report: report), pseudonym: pseudonym, delivery: delivery,
            redactions: redactions, acceptedAt: now)
    }
}

extension NewDelivery {
    /// A delivery item carrying `document` sealed to the intake's key, with its payload digest
    /// taken from the ciphertext as it is sealed.
    static func sealing(_ document: JSONValue, to key: Curve25519.KeyAgreement.PublicKey, intakeID: String, kind: DeliveryKind,
                        reportID: UUID, at: Date) throws -> NewDelivery {
        let (sealed, payloadSHA256) = try Envelope.sealWithPayloadDigest(document.canonicalBytes, to: key, purpose: .delivery, reportID: reportID)
        return NewDelivery(deliveryID: .timeOrdered(at: at), intakeID: intakeID, kind: kind, envelope: sealed.jsonValue.canonicalString,
                           payloadSHA256: payloadSHA256)
    }
}
