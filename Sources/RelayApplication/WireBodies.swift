import Foundation
import RelayAPI
import RelayCore
import RelayStore

// What the store reads, as the v1 bodies the API and relayctl write.

extension UUID {
    /// An id read back from the store. A malformed one means a damaged row, which the API
    /// answers with 503 and never a crash.
    public static func stored(_ text: String, column: String) throws -> UUID {
        guard let id = UUID(canonical: text) else { throw StoreError.damagedRow(column: column) }
        return id
    }
}

extension ReportStatusRecord {
    /// `GET /v1/reports/{id}`.
    public func body() throws -> V1.ReportStatusBody {
        V1.ReportStatusBody(reportID: try .stored(reportID, column: "report_id"), status: status, consentLevel: consentLevel, acceptedAt: acceptedAt,
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
