import Foundation

/// Every kind of act the audit log records. The raw value is what an entry's `action` holds.
public enum AuditAction: String, Sendable, CaseIterable {
    /// A centre's report accepted (with its consent and, if forwarded, its delivery).
    case submission
    /// The victim's consent recorded or changed.
    case consent
    case lease, ack, nack, extend
    /// The relay returned an item whose lease ran out.
    case leaseExpired = "lease_expired"
    /// The relay returned an item whose nack delay ended.
    case nackDelayEnded = "nack_delay_ended"
    case deadLetter = "dead_letter"
    /// A local administrator put a dead letter back in the queue.
    case requeue
    /// An intake's case update on a report (status and outcome type; never the message).
    case caseUpdate = "case_update"
    /// A centre acknowledged a case update.
    case updateSeen = "update_seen"
    case auditorRead = "auditor_read"
    /// A minute's count of one principal's requests refused for its rate.
    case rateLimited = "rate_limited"
    /// A verified certificate that names no configured principal.
    case unknownPrincipal = "unknown_principal"
    /// A refused TLS handshake (at most 60 entries a minute, the rest counted), or a request on a
    /// connection whose certificate was revoked since it opened.
    case certificateRefused = "certificate_refused"
    /// Sealed bodies past their retention removed (counts by kind).
    case purge
    /// Principals, revocations and TLS material reloaded (or a reload refused, and why).
    case principalReload = "principal_reload"
}

/// Who caused an audited act: a principal, the relay itself, a local administrator, or an
/// unidentified peer.
public struct AuditActor: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case centre, intake, auditor
        /// The daemon's own acts (lease expiry, checkpoints).
        case system
        /// `relayctl` on the host.
        case admin
        /// A certificate that verified but names no principal.
        case unknown
        /// No certificate at all.
        case none
    }

    public var id: String
    public var role: Role

    public init(id: String, role: Role) {
        self.id = id
        self.role = role
    }

    public static let relay = AuditActor(id: "relay", role: .system)
    public static let localAdmin = AuditActor(id: "local-admin", role: .admin)
    public static func centre(_ id: String) -> AuditActor { AuditActor(id: id, role: .centre) }
    public static func intake(_ id: String) -> AuditActor { AuditActor(id: id, role: .intake) }

    /// The event this actor's `action` makes.
    public func event(_ action: AuditAction, reportID: String? = nil, deliveryID: String? = nil, details: JSONValue = [:]) -> AuditEvent {
        AuditEvent(actor: id, role: role.rawValue, action: action.rawValue, reportID: reportID, deliveryID: deliveryID, details: details)
    }
}
