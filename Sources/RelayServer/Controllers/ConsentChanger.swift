import Foundation
import RelayConfig
import RelayCore
import RelayStore

/// `PUT /v1/reports/{id}/consent`: decides the change (a pure function of the report's state and
/// the old and new consent), derives the new police view or consent update from the stored
/// original, and applies it in one transaction.
struct ConsentChanger {
    let services: RelayServices

    struct Outcome {
        var status: ReportStatus
        var plan: ConsentChangePlan
    }

    func change(reportID: UUID, centre: Principal, to consent: Consent) async throws -> Outcome {
        // The report may move (a lease, an ack) between reading and writing; prepare again then.
        for _ in 0..<3 {
            guard let context = try await services.database.consentChangeContext(reportID: reportID, centreID: centre.id) else {
                throw Problem.notFound
            }
            let plan = ConsentChangePlan.decide(state: context.changeState, from: context.consent, to: consent)
            let delivery = try prepareDelivery(plan, context: context, centre: centre, consent: consent)
            do {
                let status = try await services.database.changeConsent(context, centreID: centre.id, to: consent, plan: plan,
                                                                       delivery: delivery, now: services.now())
                return Outcome(status: status, plan: plan)
            } catch StoreError.changedMeanwhile {
                continue
            }
        }
        throw StoreError.changedMeanwhile
    }

    /// The sealed item a plan needs: the new police view (requeue) or a consent update.
    func prepareDelivery(_ plan: ConsentChangePlan, context: ConsentChangeContext, centre: Principal, consent: Consent) throws -> NewDelivery? {
        switch plan {
        case .unchanged, .recordOnly, .withdraw:
            return nil
        case .requeue, .replaceDeadLetter:
            let report = try openOriginal(context)
            guard let intake = context.intakeID.flatMap(services.registry.directory.principal(id:)) ?? services.registry.directory.intake(
                borough: report.borough, policeForceArea: report.policeForceArea), let key = intake.hpkePublicKey else {
                throw Problem.unavailable("No police intake is configured for this report's area.", retryAfter: 300)
            }
            let view = try view(report, consent: consent, context: context, centre: centre)
            let sealed = try Envelope.seal(view.document.canonicalBytes, to: key, purpose: .delivery, reportID: context.reportID)
            return NewDelivery(deliveryID: UUID(), intakeID: intake.id, kind: .report, envelope: sealed.jsonValue.canonicalString,
                               payloadSHA256: sealed.payloadSHA256)
        case .forwardUpdate(let action):
            let report = try openOriginal(context)
            guard let intake = context.intakeID.flatMap(services.registry.directory.principal(id:)), let key = intake.hpkePublicKey else {
                throw Problem.unavailable("The intake that holds this report is no longer configured.", retryAfter: 300)
            }
            let oldView = consentView(report, context.consent, context: context, centre: centre)
            let newView = consentView(report, consent, context: context, centre: centre)
            let anonymous = consentView(report, Consent(level: .anonymous, shareDemographics: false), context: context, centre: centre)
            let document = ConsentUpdateDocument.build(reportID: context.reportID, old: context.consent, new: consent, action: action,
                                                       oldRedactions: oldView?.redactions ?? [], newView: newView, anonymousView: anonymous)
            let sealed = try Envelope.seal(document.canonicalBytes, to: key, purpose: .delivery, reportID: context.reportID)
            return NewDelivery(deliveryID: UUID(), intakeID: intake.id, kind: .consentUpdate, envelope: sealed.jsonValue.canonicalString,
                               payloadSHA256: sealed.payloadSHA256)
        }
    }

    /// Opens the stored original with the relay's envelope keys and validates it again.
    func openOriginal(_ context: ConsentChangeContext) throws -> Report {
        guard let json = try? JSONParser.parse(Array(context.originalEnvelope.utf8)),
              let envelope = try? Envelope(json: json, pointer: ""),
              let plaintext = try? envelope.open(with: services.keys.envelopeKeys, purpose: .report, reportID: context.reportID),
              let report = try? ReportValidator().validate(bytes: plaintext, now: services.now()) else {
            // The original was purged or its key retired: a new view cannot be derived.
            throw Problem.conflict("original-unavailable", "The original report can no longer be opened, so a new police view cannot be derived.")
        }
        return report
    }

    func view(_ report: Report, consent: Consent, context: ConsentChangeContext, centre: Principal) throws -> PoliceView {
        guard let view = consentView(report, consent, context: context, centre: centre) else {
            preconditionFailure("a forwarded consent level always yields a view")
        }
        return view
    }

    func consentView(_ report: Report, _ consent: Consent, context: ConsentChangeContext, centre: Principal) -> PoliceView? {
        PoliceViewBuilder.build(report: report, consent: consent, context: PoliceViewContext(
            reportID: context.reportID, centreID: centre.id, centreName: centre.name, previousReports: context.previousReports,
            pseudonym: context.pseudonym))
    }
}
