import Foundation

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

/// The outcome of acknowledging one leased item, as the intake is told it.
public enum AckOutcome: String, Sendable, Equatable, Codable {
    case delivered
    case superseded
    case staleLease = "stale_lease"
    case unknown
}

/// The life of one delivery item (DESIGN.md "The forwarding queue") as a state machine: each
/// event, given the item as stored, returns the action to carry out. The store reads the item,
/// asks, and executes the action; it decides nothing itself.
///
///     queued ──lease──▶ leased ──ack──▶ delivered
///       ▲                 │ nack (no delay), lease or nack delay ended:
///       └──── requeue ────┤   requeue while attempts < max_attempts, else ──▶ dead_letter
///                         └ nack with a delay: hidden (leased, no token) until it ends
///     dead_letter ──requeue (administrator)──▶ queued
public struct DeliveryLifecycle: Sendable {
    /// The stored facts about an item that decisions depend on.
    public struct Item: Sendable, Equatable {
        public var state: DeliveryState
        public var leaseToken: String?
        /// When a leased item becomes visible again (its lease's end, or its nack delay's).
        public var visibleAt: Date?
        public var attempts: Int

        public init(state: DeliveryState, leaseToken: String? = nil, visibleAt: Date? = nil, attempts: Int = 0) {
            self.state = state
            self.leaseToken = leaseToken
            self.visibleAt = visibleAt
            self.attempts = attempts
        }
    }

    public enum Event: Sendable, Equatable {
        case lease
        case ack(token: String)
        case nack(token: String, delay: TimeInterval)
        case extend(token: String, until: Date)
        /// The item's lease or nack delay has run out (the store found it visible again).
        case visibilityEnded
        /// An administrator returns a dead letter to the queue.
        case requeue
    }

    public enum Action: Sendable, Equatable {
        /// Lease it: state `leased` with a new token, this attempt count, visible again at the lease's end.
        case lease(attempts: Int)
        /// Mark it delivered and issue the delivery receipt.
        case deliver
        /// It was delivered with this same token: answer with the receipt already issued.
        case repeatReceipt
        /// Keep it leased with no token, hidden until `until`.
        case hide(until: Date)
        /// Back to `queued`, recorded as `recordedAs`; an administrator's requeue also resets the attempts.
        case requeue(recordedAs: AuditAction, resetAttempts: Bool)
        /// To the dead letters (a `dead_letter` receipt to the centre), after `after`.
        case deadLetter(after: AuditAction)
        /// Its lease now ends at `until`.
        case extend(until: Date)
        case refuse(Refusal)
    }

    public enum Refusal: Sendable, Equatable {
        /// The token is not the item's current lease (or the lease has ended).
        case staleLease
        /// A newer police view replaced it after a consent change.
        case superseded
        /// Only dead letters can be requeued.
        case notDeadLetter
        /// Only queued items can be leased.
        case notQueued
        /// Nothing is running out: the item is not leased, or not yet visible again.
        case stillHidden
    }

    /// Leases allowed before an item goes to the dead letters.
    public var maxAttempts: Int

    public init(maxAttempts: Int) {
        self.maxAttempts = maxAttempts
    }

    public func on(_ event: Event, item: Item, now: Date) -> Action {
        let holds = { (token: String) in item.state == .leased && item.leaseToken == token }
        switch event {
        case .lease:
            return item.state == .queued ? .lease(attempts: item.attempts + 1) : .refuse(.notQueued)
        case .ack(let token):
            // A lease that has run out may still be acknowledged while nobody else holds the
            // item: the token is cleared only when the relay takes the item back.
            if item.state == .delivered && item.leaseToken == token { return .repeatReceipt }
            if item.state == .superseded { return .refuse(.superseded) }
            return holds(token) ? .deliver : .refuse(.staleLease)
        case .nack(let token, let delay):
            guard holds(token) else { return .refuse(.staleLease) }
            return delay > 0 ? .hide(until: now.addingTimeInterval(delay)) : redeliver(item, recordedAs: .nack)
        case .extend(let token, let until):
            // An expired lease cannot be revived: another worker may be about to get the item.
            guard holds(token), let visibleAt = item.visibleAt, visibleAt > now else { return .refuse(.staleLease) }
            return .extend(until: until)
        case .visibilityEnded:
            guard item.state == .leased, let visibleAt = item.visibleAt, visibleAt <= now else { return .refuse(.stillHidden) }
            return redeliver(item, recordedAs: item.leaseToken == nil ? .nackDelayEnded : .leaseExpired)
        case .requeue:
            return item.state == .deadLetter ? .requeue(recordedAs: .requeue, resetAttempts: true) : .refuse(.notDeadLetter)
        }
    }

    /// Requeue, or dead-letter once every attempt has been used.
    private func redeliver(_ item: Item, recordedAs action: AuditAction) -> Action {
        item.attempts >= maxAttempts ? .deadLetter(after: action) : .requeue(recordedAs: action, resetAttempts: false)
    }
}
