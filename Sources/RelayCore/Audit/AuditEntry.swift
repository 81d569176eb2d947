import Foundation

/// One entry of the tamper-evident audit log (FORMATS.md "Audit entry and tree"). Entries hold
/// ids, roles, actions, times, states and redaction summaries — never personal data.
/// The leaf is the entry's JCS encoding.
public struct AuditEntry: Sendable, Equatable {
    public var index: Int
    public var at: Date
    /// What happened, by whom.
    public var event: AuditEvent

    /// The principal id, or `relay` for the daemon's own actions, or `local-admin`.
    public var actor: String { event.actor }
    public var role: String { event.role }
    public var action: String { event.action }
    public var reportID: String? { event.reportID }
    public var deliveryID: String? { event.deliveryID }
    public var details: JSONValue { event.details }

    public init(index: Int, at: Date, event: AuditEvent) {
        self.index = index
        self.at = at
        self.event = event
    }

    public init(index: Int, at: Date, actor: String, role: String, action: String, reportID: String? = nil,
                deliveryID: String? = nil, details: JSONValue = [:]) {
        self.init(index: index, at: at, event: AuditEvent(actor: actor, role: role, action: action, reportID: reportID,
                                                          deliveryID: deliveryID, details: details))
    }

    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "index": .integer(index), "at": .string(RFC3339.format(at, milliseconds: true)), "actor": .string(actor),
            "role": .string(role), "action": .string(action), "details": details,
        ]
        if let reportID { members["report_id"] = .string(reportID) }
        if let deliveryID { members["delivery_id"] = .string(deliveryID) }
        return .object(members)
    }

    /// The leaf bytes: JCS of the entry.
    public var leafBytes: [UInt8] { jsonValue.canonicalBytes }

    /// The leaf hash.
    public var leafHash: [UInt8] { MerkleTree.leafHash(leafBytes) }
}

/// An audit event before it has a place in the log: what the store appends.
public struct AuditEvent: Sendable, Equatable {
    public var actor: String
    public var role: String
    public var action: String
    public var reportID: String?
    public var deliveryID: String?
    public var details: JSONValue

    public init(actor: String, role: String, action: String, reportID: String? = nil, deliveryID: String? = nil, details: JSONValue = [:]) {
        self.actor = actor
        self.role = role
        self.action = action
        self.reportID = reportID
        self.deliveryID = deliveryID
        self.details = details
    }
}
