import Foundation
import RelayConfig
import RelayServer
import RelayTestSupport
import Testing

@Suite("Configuration and keys")
struct ConfigurationTests {
    static let minimal = """
        tls: {certificate: s.pem, private_key: s.key, client_ca: ca.pem}
        principals:
          - {id: c1, role: centre}
        """

    @Test("config/relayd.example.yaml parses, with every documented default")
    func example() throws {
        let configuration = try RelayConfiguration.load(path: "\(Repository.root)/config/relayd.example.yaml")
        #expect(configuration.listen.host == "127.0.0.1" && configuration.listen.port == 8443)
        #expect(configuration.principals.filter { $0.role == .centre }.count == 4)
        #expect(configuration.defaultIntake == "met-intake")
        #expect(configuration.queue.maxAttempts == 5)
        #expect(configuration.limits.maxBodyBytes == 1_048_576)
        #expect(configuration.devPKI?.directory == "certs/dev")
        #expect(configuration.revokedSerials.isEmpty && configuration.tls.crlFile == nil)
        #expect(configuration.retention == .init(originalsAfterDeliveryDays: 90, policeViewsAfterDeliveryDays: 30, deadLettersDays: 90,
                                                 withdrawnDays: 30, intervalHours: 24))
        #expect(configuration.principals.filter { $0.role == .centre }.allSatisfy { $0.hpkePublicKeyFile != nil }, "centres have update keys")
    }

    @Test("deploy/config/relayd.yaml parses: production paths, no development PKI")
    func production() throws {
        let configuration = try RelayConfiguration.load(path: "\(Repository.root)/deploy/config/relayd.yaml")
        #expect(configuration.devPKI == nil)
        #expect(configuration.databasePath == "/var/lib/reportrelay/relay.sqlite" && configuration.keyDirectory == "/var/lib/reportrelay/keys")
        #expect(configuration.opsListen.host == "127.0.0.1")
        #expect(configuration.logFormat == .json)
    }

    @Test("revoked serials are read in the forms operators copy them")
    func serials() throws {
        let configuration = try RelayConfiguration.parse(yaml: Self.minimal + "\nrevoked_serials: [\"serial=00AB:CD\", \"0x1f\", \"1F\"]")
        #expect(configuration.revokedSerials == ["abcd", "1f"])
    }

    @Test("a bad configuration names the key and the fix", arguments: [
        (minimal + "\nlisten: {host: 127.0.0.1, prot: 1}", "listen.prot"),
        (minimal + "\nqueue: {max_attempts: 0}", "queue.max_attempts"),
        (minimal + "\ndefault_intake: nobody", "default_intake"),
        (minimal + "\n  - {id: c1, role: centre}", "principals[1].id"),
        (minimal + "\n  - {id: i1, role: intake}", "principals[1].hpke_public_key"),
        (minimal + "\n  - {id: i1, role: intake, hpke_public_key: abc}", "principals[1].hpke_public_key"),
        (minimal + "\n  - {id: x, role: admin}", "principals[1].role"),
        (minimal + "\n  - {id: x, role: centre, communities: [martians]}", "principals[1].communities[0]"),
        (minimal + "\n  - {id: a1, role: auditor, hpke_public_key: abc}", "principals[1].hpke_public_key"),
        (minimal + "\n  - {id: c2, role: centre, hpke_public_key: abc}", "principals[1].hpke_public_key"),
        (minimal + "\nrevoked_serials: [\"0a:1b\", \"xyz\"]", "revoked_serials[1]"),
        (minimal + "\nretention: {withdrawn_days: 0}", "retention.withdrawn_days"),
        (minimal + "\nlog: {format: xml}", "log.format"),
        ("principals: []", "tls"),
        ("tls: [", "(file)"),
    ])
    func invalid(yaml: String, key: String) {
        #expect {
            try RelayConfiguration.parse(yaml: yaml)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == key && !error.fix.isEmpty
        }
    }

    @Test("keys are created mode 0600 and refused when group or others can read them")
    func keyPermissions() throws {
        let directory = try TemporaryDirectory("keys")
        let written = try RelayKeys.initialise(directory: directory.path)
        #expect(written.count == 3)
        #expect(try RelayKeys.initialise(directory: directory.path).isEmpty, "existing keys are kept")
        let keys = try RelayKeys.load(directory: directory.path)
        #expect(keys.envelopeKeys.count == 1)
        chmod(directory.file("signing.ed25519"), 0o640)
        #expect {
            try RelayKeys.load(directory: directory.path)
        } throws: { error in
            "\(error)".contains("signing.ed25519") && "\(error)".contains("chmod 600")
        }
    }
}
