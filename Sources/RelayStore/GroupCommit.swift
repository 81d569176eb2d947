import Foundation
import GRDB
import NIOConcurrencyHelpers
import RelayCore

/// Group commit for submissions: concurrent submits share one transaction and one fsync
/// (DESIGN.md "Durability"), so durability does not cap throughput at the fsync rate.
///
/// Leader and followers, without a background task: the first submitter to find no leader leads
/// and writes everything queued in one transaction; the others wait. When the leader's own
/// submission is done it hands leadership to the first one still waiting, so no caller serves
/// others for long. In a batch of several, each submission runs in its own savepoint: one that
/// fails rolls back alone.
final class GroupCommitter: Sendable {
    /// Most submissions in one transaction.
    static let maxBatch = 128

    private struct State {
        var queue: [Ticket] = []
        var leading = false
        var batches = 0
        var submissions = 0
    }

    private let state = NIOLockedValueBox(State())
    private let write: @Sendable ([NewSubmission]) async throws -> [Result<SubmitOutcome, any Error>]

    init(write: @escaping @Sendable ([NewSubmission]) async throws -> [Result<SubmitOutcome, any Error>]) {
        self.write = write
    }

    /// Told each batch's size as it is taken (for metrics).
    ///
    /// Kept behind a class reference, not as a function value in the box: a closure stored in a
    /// generic box is reabstracted on every `inout` access and written back wrapped, so each
    /// batch added two thunks around it and every call walked all of them — CPU and memory that
    /// grew with the number of commits (found by `perf` under `relay-bench http`;
    /// `GroupCommitObserverTests` checks the stack depth of the call stays the same).
    let batchObserver = NIOLockedValueBox<BatchObserver?>(nil)

    final class BatchObserver: Sendable {
        let call: @Sendable (Int) -> Void

        init(_ call: @escaping @Sendable (Int) -> Void) { self.call = call }
    }

    /// (transactions, submissions) so far: their ratio is the mean batch size.
    var counts: (batches: Int, submissions: Int) { state.withLockedValue { ($0.batches, $0.submissions) } }

    func submit(_ submission: NewSubmission) async throws -> SubmitOutcome {
        let ticket = Ticket(submission)
        let leads = state.withLockedValue { state in
            state.queue.append(ticket)
            if state.leading { return false }
            state.leading = true
            return true
        }
        if leads { await lead(until: ticket) }
        while true {
            switch try await ticket.next() {
            case .done(let outcome): return outcome
            case .lead: await lead(until: ticket)
            }
        }
    }

    /// Writes batches until `own` is done, then passes leadership on (or gives it up).
    private func lead(until own: Ticket) async {
        while true {
            let batch: [Ticket] = state.withLockedValue { state in
                let taken = Array(state.queue.prefix(Self.maxBatch))
                state.queue.removeFirst(taken.count)
                if !taken.isEmpty {
                    state.batches += 1
                    state.submissions += taken.count
                }
                return taken
            }
            if !batch.isEmpty {
                batchObserver.withLockedValue { $0 }?.call(batch.count)
                do {
                    let results = try await write(batch.map(\.submission))
                    for (ticket, result) in zip(batch, results) { ticket.resolve(.finished(result)) }
                } catch {
                    for ticket in batch { ticket.resolve(.finished(.failure(error))) }
                }
            }
            guard own.isFinished else { continue }
            let successor: Ticket? = state.withLockedValue { state in
                guard let first = state.queue.first else {
                    state.leading = false
                    return nil
                }
                return first
            }
            successor?.resolve(.lead)
            return
        }
    }

    /// One submission waiting for its commit, or for its turn to lead.
    final class Ticket: Sendable {
        enum Signal: Sendable {
            case finished(Result<SubmitOutcome, any Error>)
            case lead
        }

        enum Next {
            case done(SubmitOutcome)
            case lead
        }

        private struct Slot {
            var signal: Signal?
            var waiter: CheckedContinuation<Signal, Never>?
            var finished = false
        }

        let submission: NewSubmission
        private let slot = NIOLockedValueBox(Slot())

        init(_ submission: NewSubmission) { self.submission = submission }

        var isFinished: Bool { slot.withLockedValue { $0.finished } }

        func resolve(_ signal: Signal) {
            let waiter: CheckedContinuation<Signal, Never>? = slot.withLockedValue { slot in
                if case .finished = signal { slot.finished = true }
                if let waiter = slot.waiter {
                    slot.waiter = nil
                    return waiter
                }
                slot.signal = signal
                return nil
            }
            waiter?.resume(returning: signal)
        }

        func next() async throws -> Next {
            let signal = await withCheckedContinuation { (continuation: CheckedContinuation<Signal, Never>) in
                let ready: Signal? = slot.withLockedValue { slot in
                    if let signal = slot.signal {
                        slot.signal = nil
                        return signal
                    }
                    slot.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
            switch signal {
            case .finished(let result): return .done(try result.get())
            case .lead: return .lead
            }
        }
    }
}
