import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import RelayConfig
import RelayCore
import RelayStore

/// Callbacks fired once each listener is bound, with its port (tests bind port 0).
public struct ListenerHooks: Sendable {
    public var apiRunning: @Sendable (Int) async -> Void
    public var opsRunning: @Sendable (Int) async -> Void

    public init(apiRunning: @escaping @Sendable (Int) async -> Void = { _ in }, opsRunning: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.apiRunning = apiRunning
        self.opsRunning = opsRunning
    }
}

/// Builds the relay: the mutual-TLS API application, with the plain-HTTP operations listener
/// running as one of its services. `relayd` and the tests both use this one builder.
public func buildApplication(services: RelayServices, hooks: ListenerHooks = .init(), logger: Logger) throws -> some ApplicationProtocol {
    let router = Router(context: RelayRequestContext.self)
    let routes = RouteTable()
    router.add(middleware: MetricsMiddleware(metrics: services.metrics))
    router.add(middleware: ProblemMiddleware(routes: routes))
    router.add(middleware: DrainingMiddleware(state: services.drain))
    let v1 = router.group("v1")
    v1.add(middleware: PrincipalMiddleware(registry: services.registry, services: services))
    KeysController(services: services).addRoutes(to: v1.group(context: AnyPrincipalContext.self))
    CentreController(services: services).addRoutes(to: v1.group(context: RoleContext<CentreRole>.self))
    IntakeController(services: services).addRoutes(to: v1.group("intake", context: RoleContext<IntakeRole>.self))
    AuditController(services: services).addRoutes(to: v1.group(context: RoleContext<AuditorRole>.self))
    routes.set(router.routes.map { (path: $0.path.description, method: $0.method) })

    let configuration = services.configuration
    let limits = configuration.limits
    func policy(_ limiter: ConnectionLimiter, handshake: Bool, recorder: RefusalRecorder?) -> ConnectionPolicy {
        // The API's connections (those with a handshake) have their client identified once each.
        ConnectionPolicy(limiter: limiter, handshakeTimeout: handshake ? .seconds(Int64(limits.handshakeTimeoutSeconds)) : nil,
                         headTimeout: .seconds(Int64(limits.requestHeadTimeoutSeconds)), bodyTimeout: .seconds(Int64(limits.requestBodyTimeoutSeconds)),
                         idleTimeout: .seconds(Int64(limits.idleTimeoutSeconds)), maxRequests: limits.maxRequestsPerConnection, recorder: recorder,
                         identities: handshake ? services.peerIdentities : nil, tls: handshake ? services.tls : nil,
                         metrics: handshake ? services.metrics : nil)
    }
    let recorder = RefusalRecorder(now: services.now, sink: { event in _ = try? await services.database.record(event, at: services.now()) })
    let ops = Application(
        router: OpsController(services: services).router(),
        server: .guardedPlain(policy: policy(services.opsConnections, handshake: false, recorder: nil)),
        configuration: .init(address: .hostname(configuration.opsListen.host, port: configuration.opsListen.port), serverName: "relayd-ops"),
        onServerRunning: { channel in await hooks.opsRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
    return Application(
        router: router,
        server: .guardedTLS(policy: policy(services.connections, handshake: true, recorder: recorder)),
        configuration: .init(address: .hostname(configuration.listen.host, port: configuration.listen.port), serverName: "relayd"),
        // Services stop in reverse order: the log's last backfill pass comes after the others' last writes.
        services: [WALBackfillService(services: services, logger: logger), ops, CheckpointService(services: services, logger: logger),
                   RateLimitAuditService(services: services, logger: logger), PurgeService(services: services, logger: logger)],
        onServerRunning: { channel in await hooks.apiRunning(channel.localAddress?.port ?? 0) },
        logger: logger)
}
