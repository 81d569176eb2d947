import Crypto
import RelayApplication
import RelayConfig
import RelayCore
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import X509

/// Identifies the principal from the verified client certificate (never from a header or the
/// body). TLS has already refused connections without a certificate chaining to the client CA;
/// a certificate that verifies but matches no enabled principal gets `403` on every request.
struct PrincipalMiddleware: RouterMiddleware {
    typealias Context = RelayRequestContext
    let registry: PrincipalRegistry
    let services: RelayServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        // Derived once per connection, at the end of its handshake; asked of TLS only if missing.
        let known = services.peerIdentities.identity(of: context.channel)
        guard let identity = try await known.asyncOr({ try await PeerIdentity.of(channel: context.channel) }) else {
            throw Problem.forbidden("The connection presented no client certificate.")
        }
        // Revocations and principals can change while a connection stays open (a reload): its
        // next request is checked against the current ones, and refused on a closing connection.
        if let reason = services.tls.material.revocations.reason(serial: identity.serial, issuerKey: identity.issuerKey) {
            try await services.database.record(AuditActor(id: String(identity.commonName.prefix(64)), role: .unknown).event(
                .certificateRefused, details: ["reason": .string("certificate_revoked_\(reason)"), "certificate_serial": .string(identity.serial),
                                              "stage": "request"]), at: services.now())
            var refused = Problem.forbidden("The client certificate has been revoked.")
            refused.closesConnection = true
            throw refused
        }
        guard let principal = registry.directory.principal(commonName: identity.commonName, spkiSHA256: identity.spkiSHA256) else {
            context.logger.notice("refused unknown principal", metadata: ["relay.certificate_serial": "\(identity.serial)"])
            // The claimed id and serial identify a certificate, not a person.
            try await services.database.record(AuditActor(id: String(identity.commonName.prefix(64)), role: .unknown).event(
                .unknownPrincipal, details: ["certificate_serial": .string(identity.serial), "path": .string(request.uri.path)]), at: services.now())
            var refused = Problem.forbidden("The client certificate matches no enabled principal.")
            refused.closesConnection = true
            throw refused
        }
        context.principal = principal
        context.logger[metadataKey: "relay.principal"] = "\(principal.id)"
        if let wait = services.rateLimiter.take(principal, now: services.now()) {
            throw Problem(status: .tooManyRequests, slug: "rate-limited", title: "Too many requests",
                          detail: "This principal is over its request rate; retry after the time given.", retryAfter: wait)
        }
        return try await next(request, context)
    }
}

/// What the relay reads from a verified client certificate.
struct PeerIdentity: Sendable {
    var commonName: String
    var spkiSHA256: [UInt8]
    /// The serial number as ``SerialText``.
    var serial: String
    /// The issuer as ``Revocations/issuerKey(_:)``, for the CRL check on each request.
    var issuerKey: String

    /// The peer of `channel` (or, on an HTTP/2 stream, of its parent connection).
    static func of(channel: any Channel) async throws -> PeerIdentity? {
        var certificate = try? await channel.nioSSL_peerCertificate().get()
        if certificate == nil, let parent = channel.parent {
            certificate = try? await parent.nioSSL_peerCertificate().get()
        }
        return try certificate.map(of(certificate:))
    }

    static func of(certificate: NIOSSLCertificate) throws -> PeerIdentity {
        let der = try certificate.toDERBytes()
        let parsed = try Certificate(derEncoded: der)
        var commonName = ""
        for rdn in parsed.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                commonName = String(attribute.value) ?? ""
            }
        }
        let spki = try certificate.extractPublicKey().toSPKIBytes()
        return PeerIdentity(commonName: commonName, spkiSHA256: Array(SHA256.hash(data: spki)),
                            serial: SerialText.of(parsed.serialNumber.bytes), issuerKey: Revocations.issuerKey(parsed.issuer))
    }
}

/// The verified peer of each open API connection, derived once when its handshake completes
/// (`ConnectionGuardHandler`) and dropped when it closes, so that requests do not parse the
/// certificate again.
public final class PeerIdentities: Sendable {
    private let identities = NIOLockedValueBox<[ObjectIdentifier: PeerIdentity]>([:])

    public init() {}

    func identity(of channel: any Channel) -> PeerIdentity? {
        identities.withLockedValue { $0[ObjectIdentifier(channel)] }
    }

    func set(_ identity: PeerIdentity?, for channel: any Channel) {
        identities.withLockedValue { $0[ObjectIdentifier(channel)] = identity }
    }

    /// Connections with an identity held (for tests).
    public var count: Int { identities.withLockedValue { $0.count } }
}

extension Optional where Wrapped: Sendable {
    /// The value, or what `fallback` finds.
    func asyncOr(_ fallback: () async throws -> Wrapped?) async rethrows -> Wrapped? {
        if let self { return self }
        return try await fallback()
    }
}
