import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers
import RelayClient
import RelayConfig
import RelayCore
import RelayRuntime
import RelayServer
import RelayStore

/// A clock tests can move.
public final class TestClock: Sendable {
    private let current: NIOLockedValueBox<Date>

    public init(_ start: Date = Date()) { current = NIOLockedValueBox(start) }

    public var now: Date { current.withLockedValue { $0 } }

    public func advance(by seconds: TimeInterval) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }

    /// The clock as the relay takes it.
    public var function: @Sendable () -> Date { { [self] in self.now } }
}

/// A relay served in-process over real mutual TLS on ephemeral loopback ports, with
/// certificates minted at test time and a real SQLite file.
///
/// Principals: centres `centre-a` and `centre-b`, intakes `intake-a` (every London borough but
/// the City, and the default) and `intake-b` (City of London), and `auditor`. Each has a client
/// certificate; `stranger` has a valid certificate but is no principal.
public final class LiveRelay: Sendable {
    public let directory: TemporaryDirectory
    public let pki: TestPKI
    public let services: RelayServices
    public let apiPort: Int
    public let opsPort: Int
    /// Intake private keys by principal id.
    public let intakeKeys: [String: Curve25519.KeyAgreement.PrivateKey]
    /// Centre private keys (for case update messages) by principal id.
    public let centreKeys: [String: Curve25519.KeyAgreement.PrivateKey]
    private let runtime: RelayRuntime
    private let task: Task<Void, any Error>

    public var database: RelayDatabase { services.database }
    public var baseURL: String { "https://localhost:\(apiPort)" }

    public static let centres = ["centre-a", "centre-b"]
    public static let intakes = ["intake-a", "intake-b"]

    /// TLS files from elsewhere (e.g. made with the `openssl` CLI) instead of the minted ones.
    public struct ExternalTLS: Sendable {
        public var certificate: String
        public var privateKey: String
        public var clientCA: String

        public init(certificate: String, privateKey: String, clientCA: String) {
            self.certificate = certificate
            self.privateKey = privateKey
            self.clientCA = clientCA
        }
    }

    /// Starts a relay.
    public static func start(clock: TestClock? = nil, maxAttempts: Int = 3, maxBodyBytes: Int = 1_048_576,
                             externalTLS: ExternalTLS? = nil, extraLimits: String = "",
                             pins: @Sendable (TestPKI) async throws -> [String: String] = { _ in [:] }) async throws -> LiveRelay {
        let directory = try TemporaryDirectory("live-relay")
        let pki = try TestPKI(directory: directory.path)
        var intakeKeys: [String: Curve25519.KeyAgreement.PrivateKey] = [:]
        for id in centres + intakes + ["auditor", "stranger"] { try pki.issueClient(id) }
        for id in intakes { intakeKeys[id] = Curve25519.KeyAgreement.PrivateKey() }
        let centreKeys = Dictionary(uniqueKeysWithValues: centres.map { ($0, Curve25519.KeyAgreement.PrivateKey()) })
        func publicKey(_ key: Curve25519.KeyAgreement.PrivateKey?) -> String { Base64URL.encode(key!.publicKey.rawRepresentation) }
        let pins = try await pins(pki)
        let otherBoroughs = Vocabulary.londonBoroughs.filter { $0 != "City of London" }.map { "\"\($0)\"" }.joined(separator: ", ")
        let yaml = """
            listen: {host: 127.0.0.1, port: 0}
            ops_listen: {host: 127.0.0.1, port: 0}
            tls: {certificate: \(externalTLS?.certificate ?? pki.serverCertificate), private_key: \(externalTLS?.privateKey ?? pki.serverKey), client_ca: \(externalTLS?.clientCA ?? pki.caFile)}
            database: \(directory.file("relay.sqlite"))
            key_directory: \(directory.file("keys"))
            limits: {max_body_bytes: \(maxBodyBytes)\(extraLimits.isEmpty ? "" : ", " + extraLimits)}
            queue: {default_lease_seconds: 60, max_lease_seconds: 3600, max_attempts: \(maxAttempts)}
            default_intake: intake-a
            principals:
              - {id: centre-a, role: centre, name: Centre A, communities: [gypsy_irish_traveller_roma], hpke_public_key: \(publicKey(centreKeys["centre-a"]))\(pins["centre-a"].map { ", spki_sha256: \($0)" } ?? "")}
              - {id: centre-b, role: centre, name: Centre B, communities: [transgender], hpke_public_key: \(publicKey(centreKeys["centre-b"]))\(pins["centre-b"].map { ", spki_sha256: \($0)" } ?? "")}
              - {id: intake-a, role: intake, name: Intake A, hpke_public_key: \(Base64URL.encode(intakeKeys["intake-a"]!.publicKey.rawRepresentation)), areas: [\(otherBoroughs)]}
              - {id: intake-b, role: intake, name: Intake B, hpke_public_key: \(Base64URL.encode(intakeKeys["intake-b"]!.publicKey.rawRepresentation)), areas: [City of London]}
              - {id: auditor, role: auditor, name: Auditor}
            """
        // Written to a file, as the daemon's is, so that a reload can read it again.
        try (yaml + "\n").write(toFile: directory.file("relayd.yaml"), atomically: true, encoding: .utf8)
        let configuration = try RelayConfiguration.parse(yaml: yaml)
        try RelayKeys.initialise(directory: configuration.keyDirectory)
        let keys = try RelayKeys.load(directory: configuration.keyDirectory)
        let ports = AsyncStream<(String, Int)>.makeStream()
        var logger = Logger(label: "live-relay")
        logger.logLevel = .warning
        // The daemon's own composition root: the same application, draining included.
        let runtime = try RelayRuntime(configuration: configuration, keys: keys, configurationPath: directory.file("relayd.yaml"),
                                       now: clock?.function ?? Date.init, hooks: ListenerHooks(
            apiRunning: { ports.continuation.yield(("api", $0)) }, opsRunning: { ports.continuation.yield(("ops", $0)) }), logger: logger)
        let task = Task { try await runtime.run() }
        var found: [String: Int] = [:]
        for await (name, port) in ports.stream {
            found[name] = port
            if found.count == 2 { break }
        }
        return LiveRelay(directory: directory, pki: pki, services: runtime.services, apiPort: found["api"]!, opsPort: found["ops"]!,
                         intakeKeys: intakeKeys, centreKeys: centreKeys, runtime: runtime, task: task)
    }

    private init(directory: TemporaryDirectory, pki: TestPKI, services: RelayServices, apiPort: Int, opsPort: Int,
                 intakeKeys: [String: Curve25519.KeyAgreement.PrivateKey], centreKeys: [String: Curve25519.KeyAgreement.PrivateKey],
                 runtime: RelayRuntime, task: Task<Void, any Error>) {
        self.directory = directory
        self.pki = pki
        self.services = services
        self.apiPort = apiPort
        self.opsPort = opsPort
        self.intakeKeys = intakeKeys
        self.centreKeys = centreKeys
        self.runtime = runtime
        self.task = task
    }

    /// Shuts the relay down gracefully.
    public func stop() async {
        await runtime.shutdown()
        _ = try? await task.value
    }

    /// The configuration file the relay was started from (and reloads).
    public var configurationFile: String { directory.file("relayd.yaml") }

    /// Rewrites the configuration file with `edit` and reloads it, as SIGHUP would.
    @discardableResult
    public func reconfigure(_ edit: (String) -> String) async throws -> ReloadSummary {
        let text = try String(contentsOfFile: configurationFile, encoding: .utf8)
        try edit(text).write(toFile: configurationFile, atomically: true, encoding: .utf8)
        return try await services.reloadFromFile()
    }

    /// A client profile for a principal's certificate (`name` as given to ``TestPKI``).
    public func profile(_ name: String) -> ClientProfile {
        ClientProfile(server: baseURL, certificate: pki.certificate(name), privateKey: pki.key(name), caBundle: pki.caFile,
                      stateDirectory: directory.file("state-\(name)"))
    }

    /// Runs `body` with an API client for a principal, closing it afterwards.
    public func withClient<T: Sendable>(_ name: String, _ body: (RelayAPIClient) async throws -> T) async throws -> T {
        let client = try RelayAPIClient(profile: profile(name))
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// A `POST /v1/reports` body sealing `report` to the relay's current key.
    public func submission(_ report: JSONValue, reportID: UUID = UUID()) throws -> JSONValue {
        let envelope = try Envelope.seal(report.canonicalBytes, to: services.keys.envelopeKeys[0].publicKey, purpose: .report, reportID: reportID)
        return ["report_id": .string(reportID.lowercasedString), "envelope": envelope.jsonValue]
    }
}

/// Starts a relay, runs `body`, and stops the relay whatever happens.
public func withLiveRelay<T: Sendable>(clock: TestClock? = nil, maxAttempts: Int = 3, maxBodyBytes: Int = 1_048_576,
                                       externalTLS: LiveRelay.ExternalTLS? = nil, extraLimits: String = "",
                                       pins: @Sendable (TestPKI) async throws -> [String: String] = { _ in [:] },
                                       _ body: (LiveRelay) async throws -> T) async throws -> T {
    let relay = try await LiveRelay.start(clock: clock, maxAttempts: maxAttempts, maxBodyBytes: maxBodyBytes, externalTLS: externalTLS,
                                          extraLimits: extraLimits, pins: pins)
    do {
        let result = try await body(relay)
        await relay.stop()
        return result
    } catch {
        await relay.stop()
        throw error
    }
}
