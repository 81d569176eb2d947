import Foundation
import RelayApplication
import RelayConfig
import RelayCore

/// What a reload changed, by principal id (never anything else about a principal).
public struct ReloadSummary: Sendable, Equatable {
    public var added: [String] = []
    public var removed: [String] = []
    public var disabled: [String] = []
    public var enabled: [String] = []
    public var changed: [String] = []
    public var revokedSerials = 0
    public var revocationLists = 0
    /// Settings that differ from the running ones but take effect only at a restart.
    public var needRestart: [String] = []

    public var jsonValue: JSONValue {
        func ids(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
        return ["outcome": "reloaded", "added": ids(added), "removed": ids(removed), "disabled": ids(disabled), "enabled": ids(enabled),
                "changed": ids(changed), "revoked_serials": .integer(revokedSerials), "revocation_lists": .integer(revocationLists),
                "need_restart": ids(needRestart)]
    }

    /// The differences between two principal lists.
    static func between(_ old: [Principal], _ new: [Principal]) -> ReloadSummary {
        let before = Dictionary(old.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var summary = ReloadSummary()
        summary.added = after.keys.filter { before[$0] == nil }.sorted()
        summary.removed = before.keys.filter { after[$0] == nil }.sorted()
        for (id, principal) in after.sorted(by: { $0.key < $1.key }) {
            guard let earlier = before[id] else { continue }
            if earlier.enabled && !principal.enabled {
                summary.disabled.append(id)
            } else if !earlier.enabled && principal.enabled {
                summary.enabled.append(id)
            } else if earlier != principal {
                summary.changed.append(id)
            }
        }
        return summary
    }
}

/// Why a reload changed nothing.
public struct ReloadRefusal: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

extension RelayServices {
    /// Reads the configuration file again (``configurationPath``) and applies it: see
    /// ``reload(to:)``. A configuration that does not load changes nothing.
    public func reloadFromFile() async throws -> ReloadSummary {
        guard let path = configurationPath else { throw ReloadRefusal(reason: "this relay was not started from a configuration file") }
        let loaded: RelayConfiguration
        do {
            loaded = try RelayConfiguration.load(path: path).resolvingIntakeKeys()
        } catch let error as ConfigurationError {
            try await refuseReload(String(describing: error))
        }
        return try await reload(to: loaded)
    }

    /// Replaces, at once and all together, the principals, the per-role rates, the TLS server
    /// certificate and key, the client CA bundle, the CRLs and the revoked serials. New
    /// connections use the new TLS material; open connections stay up, and their next request
    /// is checked against the new revocations and principals. Anything that does not load
    /// changes nothing. Each attempt is one `principal_reload` audit entry (ids and counts only).
    public func reload(to new: RelayConfiguration) async throws -> ReloadSummary {
        let material: TLSMaterial
        do {
            material = try TLSMaterial(new)
        } catch let error as ConfigurationError {
            try await refuseReload(String(describing: error))
        } catch {
            try await refuseReload("the TLS files do not load (\(type(of: error)))")
        }
        var summary = ReloadSummary.between(registry.directory.principals, new.principals)
        summary.revokedSerials = new.revokedSerials.count
        summary.revocationLists = material.revocations.nextUpdates.count
        summary.needRestart = restartOnlyChanges(new)
        // Audited first: a reload the log cannot record (a full disk) is not applied.
        try await database.record(AuditActor.localAdmin.event(.principalReload, details: summary.jsonValue), at: now())
        tls.replace(with: material)
        registry.replace(with: PrincipalDirectory(principals: new.principals, defaultIntake: new.defaultIntake))
        rateLimiter.replaceRates(new.limits.rates)
        return summary
    }

    private func refuseReload(_ reason: String) async throws -> Never {
        try await database.record(AuditActor.localAdmin.event(.principalReload, details: ["outcome": "refused", "reason": .string(reason)]), at: now())
        throw ReloadRefusal(reason: reason)
    }

    /// Settings a reload does not apply (they need a restart), by configuration key.
    func restartOnlyChanges(_ new: RelayConfiguration) -> [String] {
        let old = configuration
        var keys: [String] = []
        if old.listen != new.listen { keys.append("listen") }
        if old.opsListen != new.opsListen { keys.append("ops_listen") }
        if old.databasePath != new.databasePath { keys.append("database") }
        if old.keyDirectory != new.keyDirectory { keys.append("key_directory") }
        if old.checkpointOrigin != new.checkpointOrigin { keys.append("checkpoint_origin") }
        if old.checkpointIntervalSeconds != new.checkpointIntervalSeconds { keys.append("checkpoint_interval_seconds") }
        let (a, b) = (old.limits, new.limits)
        // relayd may have lowered max_connections at start to fit its open-file limit: only a
        // value below the running one is a change.
        if a.maxBodyBytes != b.maxBodyBytes || min(a.maxConnections, b.maxConnections) != a.maxConnections || a.bodyBudgetBytes != b.bodyBudgetBytes
            || a.idleTimeoutSeconds != b.idleTimeoutSeconds || a.handshakeTimeoutSeconds != b.handshakeTimeoutSeconds
            || a.requestHeadTimeoutSeconds != b.requestHeadTimeoutSeconds || a.requestBodyTimeoutSeconds != b.requestBodyTimeoutSeconds
            || a.maxRequestsPerConnection != b.maxRequestsPerConnection || a.opsMaxConnections != b.opsMaxConnections { keys.append("limits") }
        if old.queue.maxAttempts != new.queue.maxAttempts || old.queue.maxLeaseSeconds != new.queue.maxLeaseSeconds
            || old.queue.defaultLeaseSeconds != new.queue.defaultLeaseSeconds { keys.append("queue") }
        if old.retention != new.retention { keys.append("retention") }
        if old.logFormat != new.logFormat { keys.append("log") }
        return keys
    }
}
