import Foundation
import NIOConcurrencyHelpers
import RelayCore

/// Records refused handshakes in the audit log, at most `limit` entries a minute so that a flood
/// of bad handshakes cannot flood the log; the rest are counted into the next entry.
public final class RefusalRecorder: Sendable {
    private struct Window {
        var start = Date.distantPast
        var recorded = 0
        var suppressed = 0
    }

    private let window = NIOLockedValueBox(Window())
    private let limit: Int
    private let sink: @Sendable (AuditEvent) async -> Void
    private let now: @Sendable () -> Date

    public init(limit: Int = 60, now: @escaping @Sendable () -> Date, sink: @escaping @Sendable (AuditEvent) async -> Void) {
        self.limit = limit
        self.now = now
        self.sink = sink
    }

    func refused(reason: String) {
        let at = now()
        let suppressed: Int? = window.withLockedValue { window in
            if at.timeIntervalSince(window.start) >= 60 {
                // A new minute: what the last one suppressed is still owed to the next entry.
                window = Window(start: at, recorded: 0, suppressed: window.suppressed)
            }
            guard window.recorded < limit else {
                window.suppressed += 1
                return nil
            }
            window.recorded += 1
            defer { window.suppressed = 0 }
            return window.suppressed
        }
        guard let suppressed else { return }
        let sink = self.sink
        // Called on an event loop: the write goes to the store without holding the loop.
        Task {
            await sink(AuditActor(id: "unknown", role: .none).event(.certificateRefused,
                                                                    details: ["reason": .string(reason), "suppressed_since_last": .integer(suppressed)]))
        }
    }
}
