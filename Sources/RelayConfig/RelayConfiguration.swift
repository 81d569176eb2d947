import Foundation
import RelayCore

/// The daemon's configuration, validated at start. Every key is documented in
/// `config/relayd.example.yaml`. Relative paths are resolved against the working directory.
public struct RelayConfiguration: Sendable {
    /// The mutual-TLS API listener.
    public var listen: ListenAddress
    /// The plain-HTTP operations listener (`/healthz`, `/readyz`); loopback by default.
    public var opsListen: ListenAddress
    public var tls: TLSFiles
    /// The SQLite database file.
    public var databasePath: String
    /// Where the relay's own keys live (mode 0600 files).
    public var keyDirectory: String
    /// Generate a development PKI and keys when absent (never in production).
    public var devPKI: DevPKISettings?
    /// The origin line of audit checkpoints.
    public var checkpointOrigin: String
    /// How often a signed checkpoint is made when the log has grown.
    public var checkpointIntervalSeconds: Int
    public var limits: Limits
    public var queue: QueueSettings
    /// Where reports go when no intake's areas match.
    public var defaultIntake: String?
    public var principals: [Principal]
    /// Client certificate serial numbers refused whatever their issuer (`SerialText` form:
    /// lower-case hex without leading zeros).
    public var revokedSerials: Set<String> = []
    /// How long sealed bodies are kept (`retention:`); `nil` days keep them.
    public var retention = Retention()
    /// How relayd writes its log lines (`log.format`).
    public var logFormat = LogFormat.text

    /// `text` for people, `json` (one object per line) for log shippers.
    public enum LogFormat: String, Sendable, CaseIterable {
        case text, json
    }

    public struct ListenAddress: Sendable, Equatable {
        public var host: String
        public var port: Int
    }

    public struct TLSFiles: Sendable {
        public var certificate: String
        public var privateKey: String
        public var clientCA: String
        /// TLS 1.2 cipher suites (OpenSSL names, colon-separated); TLS 1.3 uses its standard suites.
        public var cipherSuites: String = TLSFiles.intermediateCipherSuites
        /// A PEM file of one or more CRLs from the client CAs; listed certificates are refused.
        public var crlFile: String?

        /// Mozilla's "intermediate" TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only.
        public static let intermediateCipherSuites = [
            "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
        ].joined(separator: ":")
    }

    public struct DevPKISettings: Sendable {
        public var directory: String
        /// Extra DNS names for the server certificate (localhost is always included).
        public var serverNames: [String]
    }

    public struct Limits: Sendable {
        public var maxBodyBytes: Int
        /// A connection that sends and receives nothing for this long is closed: a stalled TLS
        /// handshake, a request head or body that stops arriving, an idle keep-alive.
        public var idleTimeoutSeconds: Int = 60
        /// A TLS handshake not complete this long after the connection opened is closed.
        public var handshakeTimeoutSeconds: Int = 10
        /// A request head not complete this long after its first byte is closed.
        public var requestHeadTimeoutSeconds: Int = 10
        /// A request body not complete this long after its head is closed (a total time, so a
        /// body trickled in a byte at a time cannot hold the connection).
        public var requestBodyTimeoutSeconds: Int = 60
        /// Open API connections at most; lowered at start to fit the process's file limit. At the
        /// cap a new connection evicts the oldest one still in its TLS handshake, or is closed.
        public var maxConnections: Int = 4096
        /// Requests served on one connection; the last response says `Connection: close`.
        public var maxRequestsPerConnection: Int = 1000
        /// Open connections on the operations listener at most, its own budget.
        public var opsMaxConnections: Int = 32
        /// Bytes that request bodies in flight may hold in memory together; past it new requests
        /// with a body get 503 with Retry-After.
        public var bodyBudgetBytes: Int = 64 * 1_048_576
        /// Request rate per principal, by role (token bucket): over it, 429 with Retry-After.
        public var rates: [Principal.Role: TokenBucket.Rate] = Limits.defaultRates

        /// A centre submits a few reports a minute (a spool flush comes in a burst); an intake polls,
        /// leases and acknowledges in pages, fast when it catches up; an auditor reads.
        public static let defaultRates: [Principal.Role: TokenBucket.Rate] = [
            .centre: .init(perSecond: 5, burst: 50), .intake: .init(perSecond: 500, burst: 1000), .auditor: .init(perSecond: 20, burst: 100),
        ]
    }

    /// How many days sealed bodies are kept before the purge removes them (DESIGN.md
    /// "Durability, crash safety, retention"). Rows keep their ids, states, times and audit.
    public struct Retention: Sendable, Equatable {
        /// The original (sealed to the relay) of a report delivered to police.
        public var originalsAfterDeliveryDays: Int?
        /// The sealed police view (or consent update) of a delivered item.
        public var policeViewsAfterDeliveryDays: Int?
        /// A dead letter's sealed view and its report's original, after dead-lettering.
        public var deadLettersDays: Int?
        /// Everything sealed of a report whose victim withdrew consent, after the withdrawal.
        public var withdrawnDays: Int?
        /// How often the daemon purges.
        public var intervalHours: Int = 24

        public init(originalsAfterDeliveryDays: Int? = nil, policeViewsAfterDeliveryDays: Int? = nil, deadLettersDays: Int? = nil,
                    withdrawnDays: Int? = nil, intervalHours: Int = 24) {
            self.originalsAfterDeliveryDays = originalsAfterDeliveryDays
            self.policeViewsAfterDeliveryDays = policeViewsAfterDeliveryDays
            self.deadLettersDays = deadLettersDays
            self.withdrawnDays = withdrawnDays
            self.intervalHours = intervalHours
        }
    }

    public struct QueueSettings: Sendable {
        public var defaultLeaseSeconds: Int
        public var maxLeaseSeconds: Int
        public var maxAttempts: Int
    }
}

/// A configuration problem: which key, what is wrong, and how to fix it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var key: String
    public var problem: String
    public var fix: String

    public init(key: String, problem: String, fix: String) {
        self.key = key
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "configuration key '\(key)': \(problem). Fix: \(fix)" }
}
