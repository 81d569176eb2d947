import Crypto
import Foundation
import RelayConfig
import RelayCore
import RelayStore

/// Turns a centre's `POST /v1/reports` body into a ``NewSubmission``: opens the envelope,
/// validates the report, applies consent, seals the police view to the routed intake. All the
/// work that needs no transaction happens here, before the store is touched.
struct SubmissionPreparer {
    let services: RelayServices

    struct Request {
        var reportID: UUID
        var envelope: Envelope
        var envelopeSHA256: String
    }

    /// Reads `{"report_id", "envelope"}`.
    static func parse(_ body: JSONValue) throws -> Request {
        var reader = BodyReader(body, allowed: ["report_id", "envelope"])
        let reportID = reader.uuid("report_id")
        var envelope: Envelope?
        if let value = body["envelope"] {
            do {
                envelope = try Envelope(json: value, pointer: "/envelope")
            } catch {
                reader.violations += error.violations
            }
        } else {
            reader.violations.append(FieldViolation(pointer: "/envelope", detail: "is required"))
        }
        try reader.finish()
        let sealed = envelope!
        return Request(reportID: reportID!, envelope: sealed, envelopeSHA256: Hex.encode(SHA256.hash(data: sealed.jsonValue.canonicalData)))
    }

    func prepare(_ request: Request, centre: Principal) async throws -> NewSubmission {
        let now = services.now()
        let plaintext: Data
        do {
            plaintext = try request.envelope.open(with: services.keys.envelopeKeys, purpose: .report, reportID: request.reportID)
        } catch {
            throw Self.problem(for: error)
        }
        let report: Report
        do {
            report = try ReportValidator().validate(bytes: plaintext, now: now)
        } catch {
            throw Problem.validation(error.violations, detail: "The report inside the envelope is not valid; see errors (pointers are into the report).")
        }
        let pseudonym = VictimPseudonym.derive(identity: report.victim, secret: services.keys.pseudonymSecret)
        var delivery: NewDelivery?
        var redactions: [Redaction] = []
        if report.consent.level.isForwarded {
            guard let intake = services.registry.directory.intake(borough: report.borough, policeForceArea: report.policeForceArea),
                  let intakeKey = intake.hpkePublicKey else {
                throw Problem.unavailable("No police intake is configured for this report's area.", retryAfter: 300)
            }
            let previous = try await pseudonym.asyncMap { try await services.database.previousReports(pseudonym: $0) } ?? 0
            let context = PoliceViewContext(reportID: request.reportID, centreID: centre.id, centreName: centre.name,
                                            previousReports: previous, pseudonym: pseudonym)
            guard let view = PoliceViewBuilder.build(report: report, consent: report.consent, context: context) else {
                preconditionFailure("a forwarded consent level always yields a view")
            }
            redactions = view.redactions
            let sealed = try Envelope.seal(view.document.canonicalBytes, to: intakeKey, purpose: .delivery, reportID: request.reportID)
            delivery = NewDelivery(deliveryID: UUID(), intakeID: intake.id, kind: .report,
                                   envelope: sealed.jsonValue.canonicalString, payloadSHA256: sealed.payloadSHA256)
        }
        return NewSubmission(
            reportID: request.reportID, centreID: centre.id, envelopeSHA256: request.envelopeSHA256,
            originalEnvelope: request.envelope.jsonValue.canonicalString, payloadSHA256: request.envelope.payloadSHA256,
            report: ReportFacts(report: report, consent: report.consent), pseudonym: pseudonym, delivery: delivery,
            redactions: redactions, acceptedAt: now)
    }

    static func problem(for error: EnvelopeError) -> Problem {
        switch error {
        case .unknownKeyID(let known):
            return Problem(status: .unprocessableContent, slug: "unknown-key", title: "Unknown envelope key",
                           detail: "The envelope names a key id the relay does not hold; seal to one of key_ids (the first is current).",
                           extra: ["key_ids": .array(known.map { .string($0) })])
        case .unsupportedSuite:
            return Problem(status: .unprocessableContent, slug: "unsupported-suite", title: "Unsupported envelope suite",
                           detail: "Seal with suite \(Envelope.suiteName).")
        case .cannotOpen:
            return Problem(status: .unprocessableContent, slug: "envelope", title: "Envelope cannot be opened",
                           detail: "The envelope did not open: it was sealed to another key, for another report id or purpose, or altered.")
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
