import Foundation
import RelayAPI
import RelayCore
import RelayStore

// What the store reads, as the v1 bodies the API and relayctl write.

extension ReportStatusRecord {
    /// `GET /v1/reports/{id}`.
    public var body: V1.ReportStatusBody {
        V1.ReportStatusBody(reportID: UUID(canonical: reportID)!, status: status, consentLevel: consentLevel, acceptedAt: acceptedAt,
                            deliveredAt: deliveredAt, attempts: attempts, intakeID: intakeID, policeReference: policeReference,
                            latestUpdate: latestUpdate)
    }
}

extension DeliveryRecord {
    /// An element of `GET /v1/deliveries` (and a line of `relayctl audit deliveries`).
    public var item: V1.DeliveryItem {
        V1.DeliveryItem(deliveryID: deliveryID, reportID: reportID, intakeID: intakeID, kind: kind, state: state, attempts: attempts, risk: risk,
                        deliveredAt: deliveredAt, deadLetteredAt: deadLetteredAt)
    }
}
