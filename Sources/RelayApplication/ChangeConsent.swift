import Foundation
import RelayConfig
import RelayCore
import RelayStore

/// What a consent change did.
public struct ConsentChangeOutcome: Sendable {
    /// The report's status afterwards.
    public var status: ReportStatus
    public var plan: ConsentChangePlan
}

/// Varying or withdrawing consent: decides the change (a pure function of the report's state and
/// the old and new consent), derives the new police view or consent update from the stored
/// original, and applies it in one transaction.
extension RelayApplication {
    public func changeConsent(reportID: UUID, centre: Principal, to consent: Consent) async throws -> ConsentChangeOutcome {
        // The report may move (a lease, an ack) between reading and writing; prepare again then.
        for _ in 0..<3 {
            guard let context = try await store.consentChangeContext(reportID: reportID, centreID: centre.id) else {
                throw RelayError.notFound
            }
            let plan = ConsentChangePlan.decide(state: context.changeState, from: context.consent, to: consent)
            let delivery = try prepareDelivery(plan, context: context, centre: centre, consent: consent)
            do {
                let status = try await store.changeConsent(context, centreID: centre.id, to: consent, plan: plan, delivery: delivery, now: now())
                return ConsentChangeOutcome(status: status, plan: plan)
            } catch StoreError.changedMeanwhile {
                continue
            }
        }
        throw RelayError.changedMeanwhile
    }

    /// The sealed item a plan needs: the new police view (requeue) or a consent update.
    func prepareDelivery(_ plan: ConsentChangePlan, context: ConsentChangeContext, centre: Principal, consent: Consent) throws -> NewDelivery? {
        switch plan {
        case .unchanged, .recordOnly, .withdraw:
            return nil
        case .requeue, .replaceDeadLetter:
            let report = try openOriginal(context)
            guard let intake = context.intakeID.flatMap(registry.directory.principal(id:)) ?? registry.directory.intake(
                borough: report.borough, policeForceArea: report.policeForceArea), let key = intake.hpkePublicKey else {
                throw RelayError.noIntake(detail: "No police intake is configured for this report's area.")
            }
            let view = try view(report, consent: consent, context: context, centre: centre)
            return try NewDelivery.sealing(view.document, to: key, intakeID: intake.id, kind: .report, reportID: context.reportID, at: now())
        case .forwardUpdate(let action):
            guard let intake = context.intakeID.flatMap(registry.directory.principal(id:)), let key = intake.hpkePublicKey else {
                throw RelayError.noIntake(detail: "The intake that holds this report is no longer configured.")
            }
            let document: JSONValue
            do {
                let report = try openOriginal(context)
                let oldView = consentView(report, context.consent, context: context, centre: centre)
                let newView = consentView(report, consent, context: context, centre: centre)
                let anonymous = consentView(report, Consent(level: .anonymous, shareDemographics: false), context: context, centre: centre)
                document = ConsentUpdateDocument.build(reportID: context.reportID, old: context.consent, new: consent, action: action,
                                                       oldRedactions: oldView?.redactions ?? [], newView: newView, anonymousView: anonymous)
            } catch RelayError.originalUnavailable where action != .replaceView {
                // The original was purged (retention): police must still hear of a withdrawal or a
                // restriction, so the update names the whole of the victim's details.
                document = ConsentUpdateDocument.withoutOriginal(reportID: context.reportID, old: context.consent, new: consent, action: action)
            }
            return try NewDelivery.sealing(document, to: key, intakeID: intake.id, kind: .consentUpdate, reportID: context.reportID, at: now())
        }
    }

    /// Opens the stored original with the relay's envelope keys and validates it again.
    func openOriginal(_ context: ConsentChangeContext) throws -> Report {
        guard let original = context.originalEnvelope, let json = try? JSONParser.parse(Array(original.utf8)),
              let envelope = try? Envelope(json: json, pointer: ""),
              let plaintext = try? envelope.open(with: keys.envelopeKeys, purpose: .report, reportID: context.reportID),
              let report = try? ReportValidator().validate(bytes: plaintext, now: now()) else {
            // The original was purged or its key retired: a new view cannot be derived.
            throw RelayError.originalUnavailable
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
