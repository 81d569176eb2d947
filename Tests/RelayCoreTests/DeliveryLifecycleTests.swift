import Foundation
import RelayCore
import Testing

/// Every transition of the delivery lifecycle, as a table: the item as stored, the event, and
/// the action the store must carry out.
@Suite("Delivery lifecycle: each transition")
struct DeliveryLifecycleTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let later = now.addingTimeInterval(30)
    static let earlier = now.addingTimeInterval(-1)
    typealias Item = DeliveryLifecycle.Item

    struct Row: Sendable, CustomTestStringConvertible {
        var item: Item
        var event: DeliveryLifecycle.Event
        var expected: DeliveryLifecycle.Action
        var why: String
        var testDescription: String { why }
    }

    static let rows: [Row] = [
        // lease
        Row(item: Item(state: .queued, attempts: 0), event: .lease, expected: .lease(attempts: 1), why: "a queued item is leased, first attempt"),
        Row(item: Item(state: .queued, attempts: 2), event: .lease, expected: .lease(attempts: 3), why: "a requeued item counts its attempts on"),
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: later, attempts: 1), event: .lease, expected: .refuse(.notQueued), why: "a leased item is not leased twice"),
        Row(item: Item(state: .delivered, leaseToken: "t", attempts: 1), event: .lease, expected: .refuse(.notQueued), why: "a delivered item is never leased"),
        // ack
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: later, attempts: 1), event: .ack(token: "t"), expected: .deliver, why: "the holder's ack delivers"),
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: earlier, attempts: 1), event: .ack(token: "t"), expected: .deliver,
            why: "an ack after the lease time, before anyone else has the item, still delivers"),
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: later, attempts: 1), event: .ack(token: "u"), expected: .refuse(.staleLease), why: "another token is stale"),
        Row(item: Item(state: .leased, leaseToken: nil, visibleAt: later, attempts: 1), event: .ack(token: "t"), expected: .refuse(.staleLease),
            why: "a nack-delayed item has no holder"),
        Row(item: Item(state: .delivered, leaseToken: "t", attempts: 1), event: .ack(token: "t"), expected: .repeatReceipt, why: "a repeated ack gets the same receipt"),
        Row(item: Item(state: .delivered, leaseToken: "t", attempts: 2), event: .ack(token: "old"), expected: .refuse(.staleLease), why: "an earlier lease's ack after delivery is stale"),
        Row(item: Item(state: .queued, attempts: 1), event: .ack(token: "t"), expected: .refuse(.staleLease), why: "a reclaimed item's old token is stale"),
        Row(item: Item(state: .superseded, leaseToken: "t", attempts: 1), event: .ack(token: "t"), expected: .refuse(.superseded), why: "a replaced view is superseded"),
        Row(item: Item(state: .withdrawn, attempts: 1), event: .ack(token: "t"), expected: .refuse(.staleLease), why: "a withdrawn item cannot be delivered"),
        // nack
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: later, attempts: 1), event: .nack(token: "t", delay: 0),
            expected: .requeue(recordedAs: .nack, resetAttempts: false), why: "a nack with no delay requeues"),
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: later, attempts: 3), event: .nack(token: "t", delay: 0),
            expected: .deadLetter(after: .nack), why: "a nack on the last attempt dead-letters"),
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: later, attempts: 1), event: .nack(token: "t", delay: 120),
            expected: .hide(until: now.addingTimeInterval(120)), why: "a nack with a delay hides the item"),
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: later, attempts: 1), event: .nack(token: "u", delay: 0),
            expected: .refuse(.staleLease), why: "a nack with another token is stale"),
        // extend
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: later, attempts: 1), event: .extend(token: "t", until: now.addingTimeInterval(90)),
            expected: .extend(until: now.addingTimeInterval(90)), why: "a current lease is extended"),
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: earlier, attempts: 1), event: .extend(token: "t", until: now.addingTimeInterval(90)),
            expected: .refuse(.staleLease), why: "an expired lease cannot be revived"),
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: later, attempts: 1), event: .extend(token: "u", until: later),
            expected: .refuse(.staleLease), why: "another token cannot extend"),
        // the relay takes an item back
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: earlier, attempts: 1), event: .visibilityEnded,
            expected: .requeue(recordedAs: .leaseExpired, resetAttempts: false), why: "an expired lease returns to the queue"),
        Row(item: Item(state: .leased, leaseToken: nil, visibleAt: earlier, attempts: 1), event: .visibilityEnded,
            expected: .requeue(recordedAs: .nackDelayEnded, resetAttempts: false), why: "an ended nack delay returns to the queue"),
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: earlier, attempts: 3), event: .visibilityEnded,
            expected: .deadLetter(after: .leaseExpired), why: "an expired last attempt dead-letters"),
        Row(item: Item(state: .leased, leaseToken: "t", visibleAt: later, attempts: 1), event: .visibilityEnded,
            expected: .refuse(.stillHidden), why: "a lease still running is left alone"),
        // administrator
        Row(item: Item(state: .deadLetter, attempts: 3), event: .requeue, expected: .requeue(recordedAs: .requeue, resetAttempts: true),
            why: "a dead letter is requeued with its attempts reset"),
        Row(item: Item(state: .queued, attempts: 1), event: .requeue, expected: .refuse(.notDeadLetter), why: "only dead letters are requeued"),
    ]

    @Test("transition", arguments: rows)
    func transition(_ row: Row) {
        #expect(DeliveryLifecycle(maxAttempts: 3).on(row.event, item: row.item, now: Self.now) == row.expected, "\(row.why)")
    }
}
