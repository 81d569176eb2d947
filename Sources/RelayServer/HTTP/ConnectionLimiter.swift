import NIOConcurrencyHelpers
import NIOCore

/// The open connections of one listener, at most `capacity` of them.
///
/// At the cap, a new connection takes the place of the oldest connection that is not yet
/// established — one that has not finished its TLS handshake (or, on the plain operations
/// listener, sent a byte), which is what a flood of bare TCP connections is made of — and is
/// refused only when every open connection is established. A client with a
/// certificate therefore still gets in while the listener is full of idle sockets, and refusing
/// costs one `close` before any TLS work.
public final class ConnectionLimiter: Sendable {
    private struct Entry {
        let channel: any Channel
        var established: Bool
    }

    private struct State {
        var nextID = 0
        var open: [Int: Entry] = [:]
        /// Admitted ids in arrival order; ids since established or closed are skipped lazily.
        var arrivals = CircularBuffer<Int>()
        var refused = 0
        var evicted = 0
    }

    public let capacity: Int
    private let state = NIOLockedValueBox(State())

    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// Connections open now.
    public var openCount: Int { state.withLockedValue { $0.open.count } }

    /// Admits `channel`, closing the oldest unestablished connection to make room if the
    /// listener is full; `nil` when there is no room (the caller closes `channel`).
    func admit(_ channel: any Channel, established: Bool) -> Int? {
        let (id, evicted): (Int?, (any Channel)?) = state.withLockedValue { state in
            var evicted: (any Channel)?
            if state.open.count >= capacity {
                while evicted == nil, let oldest = state.arrivals.popFirst() {
                    if let entry = state.open[oldest], !entry.established {
                        evicted = entry.channel
                        state.open[oldest] = nil
                        state.evicted += 1
                    }
                }
                guard evicted != nil else {
                    state.refused += 1
                    return (nil, nil)
                }
            }
            let id = state.nextID
            state.nextID += 1
            state.open[id] = Entry(channel: channel, established: established)
            if !established { state.arrivals.append(id) }
            if state.arrivals.count > 2 * state.open.count + 64 {
                let live = state.arrivals.filter { state.open[$0]?.established == false }
                state.arrivals = CircularBuffer(live)
            }
            return (id, evicted)
        }
        evicted?.close(promise: nil)
        return id
    }

    /// The connection finished its handshake: it is no longer the first to make room.
    func established(_ id: Int) {
        state.withLockedValue { $0.open[id]?.established = true }
    }

    func closed(_ id: Int) {
        state.withLockedValue { _ = $0.open.removeValue(forKey: id) }
    }

    /// Connections refused and evicted since the last call.
    public func drainCounts() -> (refused: Int, evicted: Int) {
        state.withLockedValue { state in
            defer { (state.refused, state.evicted) = (0, 0) }
            return (state.refused, state.evicted)
        }
    }
}
