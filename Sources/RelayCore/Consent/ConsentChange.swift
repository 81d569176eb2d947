import Foundation

/// Where a report stands when its consent changes.
public enum ConsentChangeState: Sendable, Equatable {
    /// Not forwarded: `stats_only` from the start, or withdrawn before delivery.
    case notForwarded
    /// Waiting in (or leased from) the queue, or dead-lettered: police do not have it.
    case pending
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
    /// Police have the report: send them a consent update. Effect `update_forwarded`.
    case forwardUpdate(ConsentUpdateAction)

    /// The API's `effect`.
    public var effect: String {
        switch self {
        case .unchanged, .recordOnly: "unchanged"
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
        if old.level >= .identity && new.level < .identity { return .eraseIdentity }
        if new.level < old.level || (old.shareDemographics && !new.shareDemographics) { return .restrict }
        return .replaceView
    }
}

/// The document sealed to the intake for a consent update (schema `reportrelay/consent-update/v1`).
public enum ConsentUpdateDocument {
    public static let schema = "reportrelay/consent-update/v1"

    /// Builds the update: the new level, the action, the fields (JSON pointers into the original
    /// report) now withheld that the old consent shared, and for `replace_view` the new view.
    public static func build(reportID: UUID, old: Consent, new: Consent, action: ConsentUpdateAction,
                             oldRedactions: [Redaction], newView: PoliceView?) -> JSONValue {
        let before = Set(oldRedactions.map(\.path))
        let concerned = (newView?.redactions ?? []).map(\.path).filter { !before.contains($0) }
        var fields = concerned
        if !new.level.isForwarded {
            fields = ["/victim"]
        }
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
}
