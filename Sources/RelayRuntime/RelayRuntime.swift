import Foundation
import Hummingbird
import Logging
import RelayApplication
import RelayConfig
import RelayCore
import RelayDevPKI
import RelayServer
import RelayStore
import ServiceLifecycle
import UnixSignals

/// The relay composed and ready to run: the one composition root, used by `relayd` and by the
/// tests' live relay alike, so that tests run the application the daemon runs — store, keys,
/// principals, both listeners, the background services and graceful draining.
public struct RelayRuntime: Sendable {
    public let services: RelayServices
    private let group: ServiceGroup

    /// Opens (and migrates) the store and builds the application. `signals` start graceful
    /// shutdown (the daemon passes SIGTERM and SIGINT; tests call ``shutdown()``).
    public init(configuration: RelayConfiguration, keys: RelayKeys, configurationPath: String? = nil, now: @escaping @Sendable () -> Date = Date.init,
                hooks: ListenerHooks = .init(), signals: [UnixSignal] = [], reloadOnHangup: Bool = false, logger: Logger) throws {
        let databaseDirectory = (configuration.databasePath as NSString).deletingLastPathComponent
        if !databaseDirectory.isEmpty {
            try FileManager.default.createDirectory(atPath: databaseDirectory, withIntermediateDirectories: true)
        }
        // The log is copied back by WALBackfillService, not by the writer after a commit.
        let database = try RelayDatabase(path: configuration.databasePath, signer: ReceiptSigner(key: keys.signingKey), backgroundBackfill: true)
        let services = try RelayServices(
            configuration: configuration, database: database, keys: keys,
            registry: PrincipalRegistry(PrincipalDirectory(principals: configuration.principals, defaultIntake: configuration.defaultIntake)),
            configurationPath: configurationPath, now: now)
        let app = try buildApplication(services: services, hooks: hooks, logger: logger)
        self.services = services
        var running: [any Service] = [DrainingApplication(app, state: services.drain)]
        if reloadOnHangup { running.append(ReloadOnHangup(services: services, logger: logger)) }
        self.group = ServiceGroup(configuration: .init(services: running, gracefulShutdownSignals: signals, logger: logger))
    }

    /// Runs until graceful shutdown completes.
    public func run() async throws {
        try await group.run()
    }

    /// Begins graceful shutdown: the API drains (503 to new requests) while requests in flight finish.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
    }
}

/// Start-up of `relayd`, kept out of the executable so that it is one call there.
public enum RelayDaemon {
    /// Loads and validates the configuration, creating the development PKI and keys first when
    /// `dev_pki.enabled` (first run), then checking every file the daemon needs.
    public static func prepare(configPath: String, logger: Logger) throws -> (RelayConfiguration, RelayKeys) {
        var configuration = try RelayConfiguration.load(path: configPath)
        if let dev = configuration.devPKI {
            let written = try DevPKI.ensure(configuration: configuration, directory: dev.directory)
                + RelayKeys.initialise(directory: configuration.keyDirectory)
            if !written.isEmpty {
                logger.notice("development PKI and keys created", metadata: ["relay.files": "\(written.count)", "relay.directory": "\(dev.directory)"])
            }
        }
        configuration = try configuration.resolvingIntakeKeys()
        let keys = try RelayKeys.load(directory: configuration.keyDirectory)
        _ = try TLSSetup.serverConfiguration(configuration.tls)
        return (configuration, keys)
    }

    /// Validates a configuration and every file it names, creating nothing.
    public static func check(configPath: String) throws -> RelayConfiguration {
        let configuration = try RelayConfiguration.load(path: configPath).resolvingIntakeKeys()
        _ = try RelayKeys.load(directory: configuration.keyDirectory)
        _ = try TLSSetup.serverConfiguration(configuration.tls)
        return configuration
    }

    /// Runs the daemon until SIGTERM or SIGINT.
    public static func run(configPath: String, logger: Logger) async throws {
        var (configuration, keys) = try prepare(configPath: configPath, logger: logger)
        configuration.limits.maxConnections = FileLimit.fitConnections(configuration.limits, logger: logger)
        let runtime = try RelayRuntime(configuration: configuration, keys: keys, configurationPath: configPath, hooks: ListenerHooks(
            apiRunning: { port in logger.notice("API listening (mutual TLS)", metadata: ["relay.port": "\(port)"]) },
            opsRunning: { port in logger.notice("operations listening", metadata: ["relay.port": "\(port)"]) }
        ), signals: [.sigterm, .sigint], reloadOnHangup: true, logger: logger)
        warnOfStaleCRLs(runtime.services, logger: logger)
        let elapsed = ContinuousClock().measure { Scrubber.prepareTables() }
        logger.debug("redaction tables built", metadata: ["relay.duration": "\(elapsed)"])
        if !["127.0.0.1", "::1", "localhost"].contains(configuration.opsListen.host) {
            // /reload, /metrics and /readyz have no authentication of their own.
            logger.warning("ops_listen is not a loopback address: anyone who can reach it can read metrics and ask for a reload",
                           metadata: ["relay.ops_listen": "\(configuration.opsListen.host):\(configuration.opsListen.port)"])
        }
        try await runtime.run()
    }
}

/// A CRL past its nextUpdate is still enforced; the operator is told (here and on `/readyz`).
func warnOfStaleCRLs(_ services: RelayServices, logger: Logger) {
    for issuer in services.tls.material.revocations.stale(now: services.now()) {
        logger.warning("tls.crl_file: a CRL is past its nextUpdate (still enforced); fetch a fresh one", metadata: ["relay.crl_issuer": "\(issuer)"])
    }
}

/// SIGHUP: read the configuration file again and apply what can change while running
/// (``RelayServices/reload(to:)``); a configuration that does not load changes nothing.
struct ReloadOnHangup: Service {
    let services: RelayServices
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                let summary = try await services.reloadFromFile()
                logger.notice("configuration reloaded", metadata: [
                    "relay.added": "\(summary.added)", "relay.removed": "\(summary.removed)", "relay.disabled": "\(summary.disabled)",
                    "relay.changed": "\(summary.changed)", "relay.revoked_serials": "\(summary.revokedSerials)",
                    "relay.revocation_lists": "\(summary.revocationLists)", "relay.need_restart": "\(summary.needRestart)",
                ])
                warnOfStaleCRLs(services, logger: logger)
            } catch {
                logger.error("reload refused; nothing changed", metadata: ["relay.reason": "\(error)"])
            }
        }
    }
}

/// The process's open-file limit, which bounds how many connections can be open at once.
enum FileLimit {
    /// Descriptors kept back for the database, its WAL, logs and the listening sockets.
    static let reserve = 64

    /// Raises the soft open-file limit to the hard one and returns the API connection cap that
    /// fits under it with the operations budget and the reserve; logs if the configured cap had
    /// to be lowered.
    static func fitConnections(_ limits: RelayConfiguration.Limits, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return limits.maxConnections }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, 1 << 20)
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        let room = Int(limit.rlim_cur) - reserve - limits.opsMaxConnections
        guard room < limits.maxConnections else { return limits.maxConnections }
        let fitted = max(8, room)
        logger.warning("limits.max_connections lowered to fit the open-file limit", metadata: [
            "relay.configured": "\(limits.maxConnections)", "relay.effective": "\(fitted)", "relay.nofile": "\(limit.rlim_cur)",
        ])
        return fitted
    }

    #if canImport(Glibc)
    static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    static let resource = RLIMIT_NOFILE
    #endif
}
