import Foundation

/// Where a police case stands, as the intake tells the centre (API.md "Updates back to the
/// centre"). The vocabulary is closed.
public enum CaseUpdateStatus: String, Sendable, CaseIterable, Codable {
    case recordedCrime = "recorded_crime"
    case recordedIncident = "recorded_incident"
    case officerAssigned = "officer_assigned"
    /// The officer asks the centre to put them in touch with the victim.
    case contactRequested = "contact_requested"
    case investigationOngoing = "investigation_ongoing"
    /// An outcome was assigned (with its Home Office outcome type).
    case outcome
    case closed

    /// What a caseworker reads.
    public var words: String {
        switch self {
        case .recordedCrime: "recorded as a crime"
        case .recordedIncident: "recorded as an incident"
        case .officerAssigned: "an officer is assigned"
        case .contactRequested: "the officer asks to contact the victim through the centre"
        case .investigationOngoing: "the investigation is ongoing"
        case .outcome: "an outcome was assigned"
        case .closed: "the case is closed"
        }
    }

    /// Whether an update with this status is accepted for a report whose consent is now
    /// `level`: once the victim has withdrawn to `stats_only` after delivery, police may only
    /// say that they have closed the case.
    public func isAccepted(consentLevel level: ConsentLevel) -> Bool {
        level.isForwarded || self == .closed
    }
}

/// A Home Office crime outcome type (the outcomes framework, types 1 to 22), and how the
/// strategy's measures group it.
public struct PoliceOutcome: Sendable, Equatable {
    public static let codes = 1...22

    public var code: Int
    /// The intake's own label, if it gave one (shown to the caseworker beside ours).
    public var label: String?

    public init?(code: Int, label: String? = nil) {
        guard Self.codes.contains(code) else { return nil }
        self.code = code
        self.label = label
    }

    /// How the measures count an outcome. Sanction detections are the formal sanctions (charge or
    /// summons, cautions, offences taken into consideration, penalty notices, cannabis or khat
    /// warnings); positive outcomes are those plus community resolutions and diversionary activity
    /// (types 8 and 22); every other type is no further action, grouped by its reason.
    public enum Category: String, Sendable, CaseIterable {
        case sanctionDetection = "sanction_detection"
        case outOfCourtResolution = "out_of_court_resolution"
        case evidentialDifficulties = "nfa_evidential_difficulties"
        case noSuspectIdentified = "nfa_no_suspect_identified"
        case notInPublicInterest = "nfa_not_in_public_interest"
        case prosecutionPrevented = "nfa_prosecution_prevented"
        case otherBody = "nfa_other_body"

        /// Whether the strategy counts this as a positive outcome.
        public var isPositive: Bool { self == .sanctionDetection || self == .outOfCourtResolution }
    }

    public var category: Category {
        switch code {
        case 1, 2, 3, 4, 6, 7: .sanctionDetection
        case 8, 22: .outOfCourtResolution
        case 14, 15, 16: .evidentialDifficulties
        case 18: .noSuspectIdentified
        case 9, 10, 21: .notInPublicInterest
        case 5, 11, 12, 13, 17: .prosecutionPrevented
        default: .otherBody  // 19, 20
        }
    }

    /// The outcome type in words, for a caseworker.
    public var words: String {
        switch code {
        case 1: "charged or summonsed"
        case 2: "caution (youth)"
        case 3: "caution (adult)"
        case 4: "offence taken into consideration"
        case 5: "the offender has died"
        case 6: "penalty notice for disorder"
        case 7: "cannabis or khat warning"
        case 8: "community resolution"
        case 9: "prosecution not in the public interest (CPS decision)"
        case 10: "formal action not in the public interest (police decision)"
        case 11: "prosecution prevented: suspect under the age of criminal responsibility"
        case 12: "prosecution prevented: suspect too ill to prosecute"
        case 13: "prosecution prevented: victim or key witness dead or too ill to give evidence"
        case 14: "evidential difficulties: suspect not identified, victim does not support further action"
        case 15: "evidential difficulties: suspect identified, victim supports action, evidence insufficient"
        case 16: "evidential difficulties: suspect identified, victim does not support (or withdrew support)"
        case 17: "prosecution time limit expired"
        case 18: "investigation complete: no suspect identified"
        case 19: "outcome type 19 (no further police action)"
        case 20: "further action taken by another body or agency"
        case 21: "further investigation not in the public interest (police decision)"
        default: "diversionary, educational or intervention activity; no further action in the public interest"
        }
    }
}

/// The plaintext of an update's sealed `message` (FORMATS.md "Case updates"): schema
/// `reportrelay/case-update/v1`. It has no field for the victim's identity, and the reader
/// refuses unknown fields, so none can be smuggled in under another name.
public struct CaseUpdateMessage: Sendable, Equatable {
    public static let schema = "reportrelay/case-update/v1"
    static let fields: Set<String> = ["schema", "report_id", "update_id", "status", "outcome", "officer_reference", "message", "next_contact_by"]

    public var reportID: UUID
    public var updateID: UUID
    public var status: CaseUpdateStatus
    public var outcome: PoliceOutcome?
    public var officerReference: String?
    /// Free text for the caseworker.
    public var message: String
    /// A date (`YYYY-MM-DD`) by which the officer will be in touch again.
    public var nextContactBy: String?

    public init(reportID: UUID, updateID: UUID, status: CaseUpdateStatus, outcome: PoliceOutcome? = nil, officerReference: String? = nil,
                message: String, nextContactBy: String? = nil) {
        self.reportID = reportID
        self.updateID = updateID
        self.status = status
        self.outcome = outcome
        self.officerReference = officerReference
        self.message = message
        self.nextContactBy = nextContactBy
    }

    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "schema": .string(Self.schema), "report_id": .string(reportID.lowercasedString), "update_id": .string(updateID.lowercasedString),
            "status": .string(status.rawValue), "message": .string(message),
        ]
        if let outcome { members["outcome"] = outcome.jsonValue }
        if let officerReference { members["officer_reference"] = .string(officerReference) }
        if let nextContactBy { members["next_contact_by"] = .string(nextContactBy) }
        return .object(members)
    }

    /// Reads a decrypted message, naming every field that is wrong.
    public init(json: JSONValue) throws(ReportValidationError) {
        var violations: [FieldViolation] = []
        let members = json.objectValue ?? [:]
        if json.objectValue == nil { violations.append(FieldViolation(pointer: "", detail: "must be a JSON object")) }
        for key in members.keys.sorted() where !Self.fields.contains(key) {
            violations.append(FieldViolation(pointer: "/" + jsonPointerToken(key), detail: "unknown field (a case update carries no identity fields)"))
        }
        if members["schema"]?.stringValue != Self.schema {
            violations.append(FieldViolation(pointer: "/schema", detail: "must be \(Self.schema)"))
        }
        let reportID = members["report_id"]?.stringValue.flatMap(UUID.init(canonical:))
        let updateID = members["update_id"]?.stringValue.flatMap(UUID.init(canonical:))
        if reportID == nil { violations.append(FieldViolation(pointer: "/report_id", detail: "must be a UUID in lower-case text")) }
        if updateID == nil { violations.append(FieldViolation(pointer: "/update_id", detail: "must be a UUID in lower-case text")) }
        let status = members["status"]?.stringValue.flatMap(CaseUpdateStatus.init(rawValue:))
        if status == nil { violations.append(FieldViolation(pointer: "/status", detail: "must be a case update status")) }
        var outcome: PoliceOutcome?
        if let value = members["outcome"] {
            do {
                outcome = try PoliceOutcome(json: value, pointer: "/outcome")
            } catch {
                violations += error.violations
            }
        }
        func text(_ key: String, limit: Int) -> String? {
            guard let value = members[key] else { return nil }
            guard let text = value.stringValue, !text.isEmpty, text.count <= limit else {
                violations.append(FieldViolation(pointer: "/\(key)", detail: "must be a string of 1 to \(limit) characters"))
                return nil
            }
            return text
        }
        let message = text("message", limit: ReportValidator.narrativeLimit)
        if members["message"] == nil { violations.append(FieldViolation(pointer: "/message", detail: "is required")) }
        let officerReference = text("officer_reference", limit: 100)
        let nextContactBy = text("next_contact_by", limit: 10)
        if let nextContactBy, RFC3339.parseDate(nextContactBy) == nil {
            violations.append(FieldViolation(pointer: "/next_contact_by", detail: "must be a date such as 2026-12-24"))
        }
        guard violations.isEmpty, let reportID, let updateID, let status, let message else { throw ReportValidationError(violations: violations) }
        self.init(reportID: reportID, updateID: updateID, status: status, outcome: outcome, officerReference: officerReference,
                  message: message, nextContactBy: nextContactBy)
    }
}

extension PoliceOutcome {
    /// `{"code": 1..22, "label"?}`.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["code": .integer(code)]
        if let label { members["label"] = .string(label) }
        return .object(members)
    }

    /// Reads `{"code", "label"?}` at `pointer`.
    public init(json: JSONValue, pointer: String) throws(ReportValidationError) {
        var violations: [FieldViolation] = []
        guard let members = json.objectValue else {
            throw ReportValidationError(violations: [FieldViolation(pointer: pointer, detail: "must be an object {\"code\": 1..22, \"label\"?}")])
        }
        for key in members.keys.sorted() where key != "code" && key != "label" {
            violations.append(FieldViolation(pointer: "\(pointer)/\(jsonPointerToken(key))", detail: "unknown field"))
        }
        let number = members["code"]?.numberValue
        let code = number.flatMap { $0.rounded() == $0 && Self.codes.contains(Int(exactly: $0) ?? 0) ? Int($0) : nil }
        if code == nil {
            violations.append(FieldViolation(pointer: "\(pointer)/code", detail: "must be a Home Office outcome type, a whole number from 1 to 22"))
        }
        var label: String?
        if let value = members["label"] {
            if let text = value.stringValue, !text.isEmpty, text.count <= 200 {
                label = text
            } else {
                violations.append(FieldViolation(pointer: "\(pointer)/label", detail: "must be a string of 1 to 200 characters"))
            }
        }
        guard violations.isEmpty, let code, let outcome = PoliceOutcome(code: code, label: label) else { throw ReportValidationError(violations: violations) }
        self = outcome
    }
}

/// The newest update on a report (`latest_update` of its status).
public struct LatestUpdate: Sendable, Equatable {
    public var status: CaseUpdateStatus
    public var outcome: PoliceOutcome?
    public var occurredAt: Date

    public init(status: CaseUpdateStatus, outcome: PoliceOutcome?, occurredAt: Date) {
        self.status = status
        self.outcome = outcome
        self.occurredAt = occurredAt
    }
}
