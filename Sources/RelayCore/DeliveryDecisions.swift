/// What the queue does with an item whose lease or nack delay has run out, or that was nacked:
/// a pure decision on the attempts made so far (DESIGN.md "The forwarding queue").
public enum RedeliveryDecision: Sendable, Equatable {
    case requeue
    case deadLetter

    /// After `attempts` leases, with `maxAttempts` allowed.
    public static func after(attempts: Int, maxAttempts: Int) -> RedeliveryDecision {
        attempts >= maxAttempts ? .deadLetter : .requeue
    }
}

/// The outcome of acknowledging one leased item.
public enum AckOutcome: String, Sendable, Equatable, Codable {
    case delivered
    case superseded
    case staleLease = "stale_lease"
    case unknown
}

/// States of a delivery item. `leased` with no token is an item hidden by a nack delay.
public enum DeliveryState: String, Sendable, Codable, CaseIterable {
    case queued, leased, delivered
    case deadLetter = "dead_letter"
    case withdrawn, superseded
}

/// What a delivery item carries.
public enum DeliveryKind: String, Sendable, Codable {
    case report
    case consentUpdate = "consent_update"
}

/// The status of a report as the centre sees it.
public enum ReportStatus: String, Sendable, Codable, CaseIterable {
    case queued, leased, delivered
    case deadLetter = "dead_letter"
    case withdrawn
    case statsOnly = "stats_only"
}
