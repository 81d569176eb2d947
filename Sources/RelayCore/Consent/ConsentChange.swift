import Foundation

/// Where a report stands when its consent changes.
public enum ConsentChangeState: Sendable, Equatable {
    /// Not forwarded: `stats_only` from the start, or withdrawn before delivery.
    case notForwarded
    /// Waiting in (or leased from) the queue: police do not have it.
    case pending
    /// Dead-lettered: police do not have it, and only an administrator may put it back in the queue.
    case deadLettered
    /// Police have it.
    case delivered
}

/// What a consent change does (DESIGN.md "Consent can change after submission"): a pure decision
/// on the report's state and the old and new consent.
public enum ConsentChangePlan: Sendable, Equatable {
    /// Nothing to do: the consent in force is the same.
    case unchanged
    /// Derive the police view afresh and queue it, replacing any pending item (a lease on the
    /// old view is invalidated). Effect `requeued`.
    case requeue
    /// Take the pending item out of the queue; the report is counted only. Effect `withdrawn`.
    case withdraw
    /// Record the change; nothing was or will be forwarded. Effect `unchanged` for the queue.
    case recordOnly
    /// Replace the dead-lettered item's view with one for the new consent; it stays a dead letter
    /// until an administrator requeues it. Effect `unchanged` for the queue.
    case replaceDeadLetter
    /// Police have the report: send them a consent update. Effect `update_forwarded`.
    case forwardUpdate(ConsentUpdateAction)

    /// The API's `effect`.
    public var effect: String {
        switch self {
        case .unchanged, .recordOnly, .replaceDeadLetter: "unchanged"
        case .requeue: "requeued"
        case .withdraw: "withdrawn"
        case .forwardUpdate: "update_forwarded"
        }
    }

    public static func decide(state: ConsentChangeState, from old: Consent, to new: Consent) -> ConsentChangePlan {
        if old.level == new.level && old.shareDemographics == new.shareDemographics { return .unchanged }
        switch state {
        case .notForwarded:
            return new.level.isForwarded ? .requeue : .recordOnly
        case .pending:
            return new.level.isForwarded ? .requeue : .withdraw
        case .deadLettered:
            return new.level.isForwarded ? .replaceDeadLetter : .withdraw
        case .delivered:
            return .forwardUpdate(ConsentUpdateAction.between(old, new))
        }
    }
}

/// What a consent update asks police to do with a report they already hold.
public enum ConsentUpdateAction: String, Sendable, Equatable {
    /// The identity must be erased (withdrawal, or identity consent withdrawn).
    case eraseIdentity = "erase_identity"
    /// Some fields (contact details, demographics) must be restricted.
    case restrict
    /// Consent was widened: the update carries the police view at the new level to replace the
    /// old one. (The contract names only `restrict` and `erase_identity`; widening after delivery
    /// is a case it does not cover, see README.)
    case replaceView = "replace_view"

    public static func between(_ old: Consent, _ new: Consent) -> ConsentUpdateAction {
        if !new.level.isForwarded || (old.level >= .identity && new.level < .identity) { return .eraseIdentity }
        if new.level < old.level || (old.shareDemographics && !new.shareDemographics) { return .restrict }
        return .replaceView
    }
}

/// The document sealed to the intake for a consent update (schema `reportrelay/consent-update/v1`).
public enum ConsentUpdateDocument {
    public static let schema = "reportrelay/consent-update/v1"

    /// Builds the update: the new level, the action, the fields (JSON pointers into the original
    /// report) that the old consent shared and the new one withholds, and for `replace_view` the
    /// new view. On withdrawal nothing is forwarded any more, so the fields are those an anonymous
    /// view withholds (`anonymousView`) — the narrative as well as `/victim` — that police now hold.
    public static func build(reportID: UUID, old: Consent, new: Consent, action: ConsentUpdateAction,
                             oldRedactions: [Redaction], newView: PoliceView?, anonymousView: PoliceView?) -> JSONValue {
        // A field is concerned when the new consent withholds more of it than the old one did: removed
        // where it was shared, or scrubbed of more (the name as well as the phone number).
        let before = Dictionary(oldRedactions.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let withheld = new.level.isForwarded ? newView?.redactions ?? [] : anonymousView?.redactions ?? []
        var fields = withheld.filter { before[$0.path] != $0 }.map(\.path)
        if !new.level.isForwarded && !fields.contains("/victim") { fields.insert("/victim", at: 0) }
        var members: [String: JSONValue] = [
            "schema": .string(schema), "report_id": .string(reportID.lowercasedString), "level": .string(new.level.rawValue),
            "previous_level": .string(old.level.rawValue), "share_demographics": .bool(new.shareDemographics),
            "required_action": .string(action.rawValue), "fields": .array(fields.map { .string($0) }),
        ]
        if let method = new.method { members["method"] = .string(method) }
        if let recordedAt = new.recordedAt { members["recorded_at"] = .string(RFC3339.format(recordedAt)) }
        if action == .replaceView, let newView { members["view"] = newView.document }
        return .object(members)
    }

    /// The update when the original can no longer be read (purged under retention): the fields
    /// cannot be worked out one by one, so it names the victim's details as a whole (and, on
    /// withdrawal, the free text that may mention them).
    public static func withoutOriginal(reportID: UUID, old: Consent, new: Consent, action: ConsentUpdateAction) -> JSONValue {
        var document = build(reportID: reportID, old: old, new: new, action: action, oldRedactions: [], newView: nil, anonymousView: nil)
        let fields: [JSONValue] = new.level.isForwarded ? ["/victim"] : ["/victim", "/incident/narrative", "/incident/location", "/incident/witnesses"]
        if case .object(var members) = document {
            members["fields"] = .array(fields)
            members["original_purged"] = true
            document = .object(members)
        }
        return document
    }
}
