import HTTPTypes
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTPTypes
import NIOSSL
import NIOTLS
import RelayCore
import X509

/// What a listener allows each connection: the shared cap, and how long each stage may take.
struct ConnectionPolicy: Sendable {
    var limiter: ConnectionLimiter
    /// `nil` on a plain listener (operations), where there is no handshake.
    var handshakeTimeout: TimeAmount?
    var headTimeout: TimeAmount
    var bodyTimeout: TimeAmount
    var idleTimeout: TimeAmount
    var maxRequests: Int
    /// Where refused TLS handshakes are reported for the audit log.
    var recorder: RefusalRecorder?
    /// Where each connection's verified client is kept (API listener only).
    var identities: PeerIdentities?
    /// The API listener's TLS (context and revocations), taken afresh by each new connection;
    /// `nil` on a plain listener.
    var tls: TLSState?
    /// Where refused handshakes are counted, by reason.
    var metrics: RelayMetrics?
}

/// A child channel with the listener's limits applied: admission under the connection cap, a
/// handshake deadline, request head and body deadlines, and a request count per connection.
///
/// Hummingbird's own idle timeout closes a keep-alive connection that has been quiet too long;
/// it counts any arriving body part as activity, so it cannot stop a body trickled in a byte at
/// a time. The deadlines here are totals for each stage.
struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let policy: ConnectionPolicy

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let verdict = HandshakeVerdict()
        return channel.eventLoop.makeCompletedFuture {
            if let tls = policy.tls {
                try channel.pipeline.syncOperations.addHandler(try Self.tlsHandler(tls.material, verdict: verdict))
            }
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            // Reads of at most 16 KiB: what a connection holds unconsumed (Hummingbird buffers
            // up to ten reads ahead of the handler) stays small when a body is left unread.
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 4096, maximum: 16384))
            let pipeline = channel.pipeline.syncOperations
            let deadlines = RequestDeadlines(head: policy.headTimeout, body: policy.bodyTimeout)
            let guardHandler = ConnectionGuardHandler(policy: policy, deadlines: deadlines, verdict: verdict)
            // After the TLS handler it sees the handshake complete and then decrypted bytes.
            if let tls = try? pipeline.handler(type: NIOSSLServerHandler.self) {
                try pipeline.addHandler(guardHandler, position: .after(tls))
            } else {
                try pipeline.addHandler(guardHandler, position: .first)
            }
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(RequestCountingHandler(deadlines: deadlines, maxRequests: policy.maxRequests), position: .before(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }

    /// The server side of TLS with the current material. Revocation is checked inside the
    /// handshake, after BoringSSL has verified the chain: a revoked certificate fails the
    /// handshake with an alert, before any request is read.
    static func tlsHandler(_ material: TLSMaterial, verdict: HandshakeVerdict) throws -> NIOSSLServerHandler {
        let revocations = material.revocations
        guard !revocations.serials.isEmpty || !revocations.byIssuer.isEmpty else { return NIOSSLServerHandler(context: material.context) }
        // NIOSSL offers servers no hook that runs after its own chain verification except this
        // per-certificate callback (deprecated in favour of one that replaces verification
        // entirely, which would mean re-implementing it); `RevocationCheckingHandler` names it once.
        return try NIOSSLServerHandler.make(context: material.context) { result, certificate in
            guard result == .certificateVerified else { return result }
            guard let parsed = try? Certificate(derEncoded: certificate.toDERBytes()) else { return .failed }
            if let reason = revocations.reason(serial: SerialText.of(parsed.serialNumber.bytes), issuerKey: Revocations.issuerKey(parsed.issuer)) {
                verdict.refusal = "certificate_revoked_\(reason)"
                return .failed
            }
            return result
        }
    }
}

/// One connection's handshake refusal reason found during verification, for the audit log;
/// used on the connection's event loop only.
final class HandshakeVerdict: @unchecked Sendable {
    var refusal: String?
}

/// Makes a server handler with NIOSSL's per-certificate verification callback (see
/// ``GuardedChannel/tlsHandler(_:verdict:)``).
protocol RevocationCheckingHandler {
    init(context: NIOSSLContext, verificationCallback: NIOSSLVerificationCallback?) throws
}

extension RevocationCheckingHandler {
    static func make(context: NIOSSLContext, _ callback: @escaping NIOSSLVerificationCallback) throws -> Self {
        try Self(context: context, verificationCallback: callback)
    }
}

extension NIOSSLServerHandler: RevocationCheckingHandler {}

extension HTTPServerBuilder {
    /// HTTP/1.1 over TLS (`policy.tls`) under `policy`.
    static func guardedTLS(policy: ConnectionPolicy) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GuardedChannel(base: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: policy.idleTimeout)), policy: policy)
        }
    }

    /// Plain HTTP/1.1 under `policy` (the operations listener).
    static func guardedPlain(policy: ConnectionPolicy) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GuardedChannel(base: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: policy.idleTimeout)), policy: policy)
        }
    }
}

/// One connection's request stage and its deadline; shared by the two handlers that see the
/// stages (decrypted bytes, HTTP parts) and used only on the connection's event loop.
final class RequestDeadlines {
    enum Stage { case idle, head, body, answering }
    private(set) var stage = Stage.idle
    private var timer: Scheduled<Void>?
    let head: TimeAmount
    let body: TimeAmount

    init(head: TimeAmount, body: TimeAmount) {
        self.head = head
        self.body = body
    }

    /// Moves to `stage`; a stage with a deadline closes the connection when it passes.
    func enter(_ stage: Stage, _ context: ChannelHandlerContext) {
        cancel()
        self.stage = stage
        let limit: TimeAmount? = switch stage {
        case .head: head
        case .body: body
        case .idle, .answering: nil
        }
        if let limit {
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { context.close(promise: nil) }
        }
    }

    func cancel() {
        timer?.cancel()
        timer = nil
    }
}

/// Admits the connection under the cap, closes it if its TLS handshake is not done in time,
/// reports refused handshakes, and starts the head deadline at a request's first byte.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let policy: ConnectionPolicy
    private let deadlines: RequestDeadlines
    private let verdict: HandshakeVerdict
    private var activated = false
    private var id: Int?
    private var handshakeTimer: Scheduled<Void>?
    private var reportedFailure = false
    private var establishedPlain = false
    private var holdsIdentity = false

    init(policy: ConnectionPolicy, deadlines: RequestDeadlines, verdict: HandshakeVerdict) {
        self.policy = policy
        self.deadlines = deadlines
        self.verdict = verdict
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { activate(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        guard activate(context) else { return }
        context.fireChannelActive()
    }

    /// `false` if the connection was refused (and is being closed).
    @discardableResult
    private func activate(_ context: ChannelHandlerContext) -> Bool {
        guard !activated else { return id != nil }
        activated = true
        guard let id = policy.limiter.admit(context.channel, established: false) else {
            context.close(promise: nil)
            return false
        }
        self.id = id
        if let timeout = policy.handshakeTimeout {
            handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { context.close(promise: nil) }
        }
        return true
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent {
            handshakeTimer?.cancel()
            handshakeTimer = nil
            if let id { policy.limiter.established(id) }
            if let identities = policy.identities,
               let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate {
                identities.set(try? PeerIdentity.of(certificate: certificate), for: context.channel)
                holdsIdentity = true
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Without TLS, a connection proves itself by sending something.
        if policy.handshakeTimeout == nil, !establishedPlain, let id {
            establishedPlain = true
            policy.limiter.established(id)
        }
        if deadlines.stage == .idle { deadlines.enter(.head, context) }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        release(context.channel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release(context.channel)
    }

    private func release(_ channel: any Channel) {
        if holdsIdentity {
            policy.identities?.set(nil, for: channel)
            holdsIdentity = false
        }
        handshakeTimer?.cancel()
        handshakeTimer = nil
        deadlines.cancel()
        if let id { policy.limiter.closed(id) }
        id = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !reportedFailure, let reason = verdict.refusal ?? Self.refusalReason(error) {
            reportedFailure = true
            policy.recorder?.refused(reason: reason)
            policy.metrics?.handshakeFailure(reason: reason)
        }
        context.fireErrorCaught(error)
    }

    /// A coarse, fixed reason: never the peer's certificate contents.
    static func refusalReason(_ error: any Error) -> String? {
        guard error is NIOSSLError || error is BoringSSLError else { return nil }
        let text = String(describing: error).uppercased()
        if text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || text.contains("CERTIFICATE_REQUIRED") { return "no_certificate" }
        if text.contains("CERTIFICATE_VERIFY_FAILED") { return "certificate_verify_failed" }
        if text.contains("HANDSHAKE") { return "handshake_failed" }
        return nil
    }
}

/// Moves the request stage on as HTTP parts pass, and ends the connection after its last
/// allowed request, or after a response that left the request's body unread (413, 503), saying
/// so in that response (`Connection: close`).
final class RequestCountingHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    private let deadlines: RequestDeadlines
    private let maxRequests: Int
    private var requests = 0
    private var responses = 0
    private var closeAfterResponse = false
    private var explainingParseError = false

    /// What Hummingbird sends, with no body, when NIO's HTTP parser refuses a request (a head
    /// over 80 KiB, a smuggling attempt, raw non-ASCII bytes in the path).
    static func isParseErrorResponse(_ response: HTTPResponse) -> Bool {
        response.status == .badRequest && response.headerFields[.contentLength] == "0" && response.headerFields[.connection] == "close"
    }

    static let parseErrorProblem = Problem(
        status: .badRequest, slug: "malformed-request", title: "Malformed request",
        detail: "The request could not be read as HTTP/1.1 (malformed, ambiguous or oversized head); the connection is closed.").jsonValue.canonicalBytes

    init(deadlines: RequestDeadlines, maxRequests: Int) {
        self.deadlines = deadlines
        self.maxRequests = maxRequests
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requests += 1
            deadlines.enter(.body, context)
        case .body:
            break
        case .end:
            deadlines.enter(.answering, context)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response) where Self.isParseErrorResponse(response):
            // Every error is problem+json, the parser's own included.
            explainingParseError = true
            closeAfterResponse = true
            response.headerFields[.contentType] = "application/problem+json"
            response.headerFields[.contentLength] = String(Self.parseErrorProblem.count)
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .head(var response) where response.status.kind != .informational:
            // The last allowed request, or a response that leaves the request's body unread.
            if responses + 1 == maxRequests || response.headerFields[.connection] == "close" {
                closeAfterResponse = true
                response.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(response)), promise: promise)
            } else {
                context.write(data, promise: promise)
            }
        case .head, .body:
            context.write(data, promise: promise)
        case .end:
            if explainingParseError {
                explainingParseError = false
                context.write(wrapOutboundOut(.body(ByteBuffer(bytes: Self.parseErrorProblem))), promise: nil)
            }
            responses += 1
            if closeAfterResponse {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
                return
            }
            if deadlines.stage == .answering, responses == requests { deadlines.enter(.idle, context) }
            context.write(data, promise: promise)
        }
    }
}
