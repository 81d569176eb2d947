import Foundation
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import RelayCore

/// Wraps the TLS child channel with a handler, placed right after the TLS handler, that notices
/// refused handshakes (no certificate, an unknown CA, an expired or revoked certificate) —
/// Hummingbird logs none of them — and reports them for the audit log.
struct HandshakeAuditingChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let recorder: RefusalRecorder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let tls = try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
            try channel.pipeline.syncOperations.addHandler(HandshakeFailureHandler(recorder: recorder), position: .after(tls))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 over TLS, with refused handshakes reported to `recorder`.
    /// The idle timeout runs from the connection's start, so it also closes a TLS handshake or a
    /// request head or body that stops arriving.
    static func auditedTLS(tlsConfiguration: TLSConfiguration, idleTimeout: TimeAmount, recorder: RefusalRecorder) throws -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            HandshakeAuditingChannel(base: try TLSChannel(HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout)),
                                                          tlsConfiguration: tlsConfiguration), recorder: recorder)
        }
    }
}

/// Sees the TLS handler's errors; reports the first handshake failure of the connection.
final class HandshakeFailureHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let recorder: RefusalRecorder
    private var reported = false

    init(recorder: RefusalRecorder) { self.recorder = recorder }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !reported, let reason = Self.reason(error) {
            reported = true
            recorder.refused(reason: reason)
        }
        context.fireErrorCaught(error)
    }

    /// A coarse, fixed reason: never the peer's certificate contents.
    static func reason(_ error: any Error) -> String? {
        guard error is NIOSSLError || error is BoringSSLError else { return nil }
        let text = String(describing: error).uppercased()
        if text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || text.contains("CERTIFICATE_REQUIRED") { return "no_certificate" }
        if text.contains("CERTIFICATE_VERIFY_FAILED") { return "certificate_verify_failed" }
        if text.contains("HANDSHAKE") { return "handshake_failed" }
        return nil
    }
}

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
            await sink(AuditEvent(actor: "unknown", role: "none", action: "certificate_refused",
                                  details: ["reason": .string(reason), "suppressed_since_last": .integer(suppressed)]))
        }
    }
}
