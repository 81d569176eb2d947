import Foundation

/// The relay's answer to an accepted report: `{"report_id", "status", "accepted_at", "receipt"}`.
/// The store keeps it as the first answer, so that a retried submission gets the same one.
public struct Acceptance: Sendable, Equatable {
    public var reportID: UUID
    /// `queued`, or `stats_only` for a report that is counted and never forwarded.
    public var status: ReportStatus
    public var acceptedAt: Date
    public var receipt: SignedReceipt

    public init(reportID: UUID, status: ReportStatus, acceptedAt: Date, receipt: SignedReceipt) {
        self.reportID = reportID
        self.status = status
        self.acceptedAt = acceptedAt
        self.receipt = receipt
    }

    public var jsonValue: JSONValue {
        [
            "report_id": .string(reportID.lowercasedString), "status": .string(status.rawValue),
            "accepted_at": .string(RFC3339.format(acceptedAt)), "receipt": receipt.jsonValue,
        ]
    }

    /// Reads the JSON form; a member missing or malformed is a violation naming it.
    public init(parsing json: JSONValue) throws(ReportValidationError) {
        guard let id = json["report_id"]?.stringValue.flatMap(UUID.init(canonical:)) else {
            throw ReportValidationError(violations: [FieldViolation(pointer: "/report_id", detail: "must be a UUID in lower-case text")])
        }
        guard let status = json["status"]?.stringValue.flatMap(ReportStatus.init(rawValue:)) else {
            throw ReportValidationError(violations: [FieldViolation(pointer: "/status", detail: "must be a report status")])
        }
        guard let acceptedAt = json["accepted_at"]?.stringValue.flatMap(RFC3339.parse) else {
            throw ReportValidationError(violations: [FieldViolation(pointer: "/accepted_at", detail: "must be an RFC 3339 date-time")])
        }
        guard let receipt = json["receipt"].flatMap(SignedReceipt.init(json:)) else {
            throw ReportValidationError(violations: [FieldViolation(pointer: "/receipt", detail: "must be a signed receipt")])
        }
        self.init(reportID: id, status: status, acceptedAt: acceptedAt, receipt: receipt)
    }
}
