import Foundation
import RelayClient
import RelayCore
import RelayPKI
import RelayServer
import RelayTestSupport
import Testing
import X509

/// Revocation and live reload, over real mutual TLS: a certificate revoked by serial or by CRL
/// (made with the `openssl ca` CLI and in Swift) fails its next handshake and is refused on its
/// open keep-alive connection at the next request, while another centre is untouched; principals
/// are disabled and added by reload; a broken configuration changes nothing.
@Suite("Revocation and live reload (live)")
struct RevocationTests {
    static func serial(_ pemFile: String) throws -> String {
        SerialText.of(try Certificate(pemEncoded: String(contentsOfFile: pemFile, encoding: .utf8)).serialNumber.bytes)
    }

    /// Whether a fresh connection with this principal's certificate is refused (by `curl`, an
    /// independent client, and by the relay's own client).
    static func handshakeRefused(_ relay: LiveRelay, _ name: String) async throws -> Bool {
        let curl = try await Curl.request("\(relay.baseURL)/v1/whoami", ca: relay.pki.caFile,
                                          clientCertificate: (relay.pki.certificate(name), relay.pki.key(name)))
        do {
            _ = try await relay.withClient(name) { try await $0.send(.GET, "/v1/whoami") }
            return false
        } catch ClientError.unreachable {
            return curl.exitCode != 0 && curl.status == 0
        }
    }

    /// Runs `body` with long-lived clients (each keeps its keep-alive connection), shutting them
    /// down whatever happens.
    static func withOpenClients(_ relay: LiveRelay, _ names: [String], _ body: ([RelayAPIClient]) async throws -> Void) async throws {
        let clients = try names.map { try RelayAPIClient(profile: relay.profile($0)) }
        do {
            try await body(clients)
        } catch {
            for client in clients { await client.shutdown() }
            throw error
        }
        for client in clients { await client.shutdown() }
    }

    static func whoami(_ client: RelayAPIClient) async throws -> RelayAPIClient.RawResponse {
        try await client.send(.GET, "/v1/whoami")
    }

    /// Adds `member` to the configuration's inline `tls:` mapping.
    static func addingTLS(_ relay: LiveRelay, _ member: String) -> (String) -> String {
        { $0.replacingOccurrences(of: "client_ca: \(relay.pki.caFile)}", with: "client_ca: \(relay.pki.caFile), \(member)}") }
    }

    @Test("revoked by serial at reload: the open connection is refused at its next request, new handshakes fail, another centre is untouched")
    func bySerial() async throws {
        try await withLiveRelay { relay in
            try await Self.withOpenClients(relay, ["centre-a", "centre-b"]) { clients in
                let (revoked, other) = (clients[0], clients[1])
                #expect(try await Self.whoami(revoked).status == 200)
                #expect(try await Self.whoami(other).status == 200)
                let serial = try Self.serial(relay.pki.certificate("centre-a"))
                let summary = try await relay.reconfigure { $0 + "revoked_serials: [\"\(serial.uppercased())\"]\n" }
                #expect(summary.revokedSerials == 1)

                let refused = try await Self.whoami(revoked)
                #expect(refused.status == 403, "on the connection opened before the reload")
                #expect(refused.body["detail"]?.stringValue?.contains("revoked") == true)
                #expect(try await Self.handshakeRefused(relay, "centre-a"))
                #expect(try await Self.whoami(other).status == 200, "another centre keeps its connection and its access")
                #expect(try await relay.withClient("centre-b") { try await Self.whoami($0).status } == 200)
            }

            // Both refusals are audited with their reason; the reload is audited with counts.
            let entries = try await relay.database.auditEntries(start: 0, end: try await relay.database.auditSize())
            let reasons = entries.filter { $0.action == "certificate_refused" }.compactMap { $0.details["reason"]?.stringValue }
            #expect(reasons.contains("certificate_revoked_revoked_serial"))
            let reload = try #require(entries.last { $0.action == "principal_reload" })
            #expect(reload.details["outcome"] == "reloaded" && reload.details["revoked_serials"] == 1)
        }
    }

    @Test("a CRL made with the openssl ca CLI revokes at reload")
    func byOpenSSLCRL() async throws {
        try await withLiveRelay { relay in
            let directory = relay.directory.file("openssl-ca")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try "".write(toFile: "\(directory)/index.txt", atomically: true, encoding: .utf8)
            try "1000\n".write(toFile: "\(directory)/crlnumber", atomically: true, encoding: .utf8)
            try """
                [ ca ]
                default_ca = relay_ca
                [ relay_ca ]
                database = \(directory)/index.txt
                crlnumber = \(directory)/crlnumber
                default_md = sha256
                default_crl_days = 7
                """.write(toFile: "\(directory)/ca.cnf", atomically: true, encoding: .utf8)
            let ca = ["-config", "\(directory)/ca.cnf", "-cert", relay.pki.caFile, "-keyfile", relay.pki.key("ca")]
            try await Subprocess.run("openssl", ["ca"] + ca + ["-revoke", relay.pki.certificate("centre-a")]).checked("openssl ca -revoke")
            try await Subprocess.run("openssl", ["ca"] + ca + ["-gencrl", "-out", "\(directory)/crl.pem"]).checked("openssl ca -gencrl")

            #expect(try await relay.withClient("centre-a") { try await Self.whoami($0).status } == 200)
            let summary = try await relay.reconfigure(Self.addingTLS(relay, "crl_file: \(directory)/crl.pem"))
            #expect(summary.revocationLists == 1)
            #expect(try await Self.handshakeRefused(relay, "centre-a"))
            #expect(try await relay.withClient("centre-b") { try await Self.whoami($0).status } == 200)
            let ready = try await Curl.request("http://127.0.0.1:\(relay.opsPort)/readyz", ca: relay.pki.caFile, clientCertificate: nil)
            #expect(ready.status == 200 && !ready.body.contains("warnings"), "a current CRL: no warning")
        }
    }

    @Test("a CRL made in Swift, past its nextUpdate: still enforced, and /readyz warns")
    func staleSwiftCRL() async throws {
        try await withLiveRelay { relay in
            let serial = try Certificate(pemEncoded: String(contentsOfFile: relay.pki.certificate("centre-b"), encoding: .utf8)).serialNumber
            let crl = try relay.pki.ca.revocationList(revoking: [serial], thisUpdate: Date().addingTimeInterval(-10 * 86_400),
                                                      nextUpdate: Date().addingTimeInterval(-86_400))
            let file = relay.directory.file("stale.crl.pem")
            try crl.write(toFile: file, atomically: true, encoding: .utf8)
            // The same file read by openssl: the Swift CRL is a well-formed, correctly signed CRL.
            try await Subprocess.run("openssl", ["crl", "-in", file, "-noout", "-CAfile", relay.pki.caFile]).checked("openssl crl verify")
            try await relay.reconfigure(Self.addingTLS(relay, "crl_file: \(file)"))
            #expect(try await Self.handshakeRefused(relay, "centre-b"))
            #expect(try await relay.withClient("centre-a") { try await Self.whoami($0).status } == 200)
            let ready = try await Curl.request("http://127.0.0.1:\(relay.opsPort)/readyz", ca: relay.pki.caFile, clientCertificate: nil)
            #expect(ready.status == 200)
            #expect(ready.body.contains("past its nextUpdate"), "\(ready.body)")
        }
    }

    @Test("a reload that does not load changes nothing and says why (API, ops listener, audit)")
    func brokenReload() async throws {
        try await withLiveRelay { relay in
            let original = try String(contentsOfFile: relay.configurationFile, encoding: .utf8)
            // A CRL from a CA the relay does not trust, and a missing file.
            let stranger = try CertificateAuthority.makeRoot(name: "Some other CA")
            let foreign = relay.directory.file("foreign.crl.pem")
            try stranger.revocationList(revoking: []).write(toFile: foreign, atomically: true, encoding: .utf8)
            for member in ["crl_file: \(foreign)", "crl_file: \(relay.directory.file("missing.pem"))"] {
                await #expect(throws: ReloadRefusal.self) {
                    try await relay.reconfigure { _ in Self.addingTLS(relay, member)(original.replacingOccurrences(of: "name: Centre B,", with: "name: Centre B, enabled: false,")) }
                }
            }
            // Nothing changed: centre-b (disabled in the refused file) still works.
            #expect(try await relay.withClient("centre-b") { try await Self.whoami($0).status } == 200)
            let ops = try await Curl.request("http://127.0.0.1:\(relay.opsPort)/reload", ca: relay.pki.caFile, clientCertificate: nil, method: "POST")
            #expect(ops.status == 422)
            #expect(ops.body.contains("Nothing was changed") && ops.body.contains("tls.crl_file"), "\(ops.body)")
            let entries = try await relay.database.auditEntries(start: 0, end: try await relay.database.auditSize())
            #expect(entries.filter { $0.action == "principal_reload" && $0.details["outcome"] == "refused" }.count == 3)
        }
    }

    @Test("principals disabled and added by reload; the disabled one's open connection is refused and closed")
    func principalsByReload() async throws {
        try await withLiveRelay { relay in
            try await Self.withOpenClients(relay, ["centre-b"]) { clients in
                #expect(try await Self.whoami(clients[0]).status == 200)
                try relay.pki.issueClient("centre-c")
                #expect(try await relay.withClient("centre-c") { try await Self.whoami($0).status } == 403, "not yet a principal")
                let summary = try await relay.reconfigure { text in
                    text.replacingOccurrences(of: "name: Centre B,", with: "name: Centre B, enabled: false,")
                        + "  - {id: centre-c, role: centre, name: Centre C, communities: [disabled]}\n"
                }
                #expect(summary.disabled == ["centre-b"])
                #expect(summary.added == ["centre-c"])
                #expect(summary.removed.isEmpty && summary.changed.isEmpty)
                #expect(try await Self.whoami(clients[0]).status == 403, "on the connection opened before the reload")
            }
            let whoami = try await relay.withClient("centre-c") { try await Self.whoami($0) }
            #expect(whoami.status == 200 && whoami.body["principal_id"] == "centre-c")
            #expect(try await relay.withClient("centre-a") { try await Self.whoami($0).status } == 200)
            let reload = try #require(try await relay.database.auditEntries(start: 0, end: try await relay.database.auditSize()).last { $0.action == "principal_reload" })
            #expect(reload.details["disabled"] == ["centre-b"] && reload.details["added"] == ["centre-c"])
        }
    }

    /// The serial of the certificate the relay serves to a new connection (`openssl s_client`).
    static func servedSerial(_ relay: LiveRelay) async throws -> String {
        let command = "openssl s_client -connect 127.0.0.1:\(relay.apiPort) -servername localhost -cert '\(relay.pki.certificate("centre-a"))' "
            + "-key '\(relay.pki.key("centre-a"))' </dev/null 2>/dev/null | openssl x509 -noout -serial"
        let output = try await Subprocess.run("/bin/sh", ["-c", command]).checked("openssl s_client").stdout
        return try #require(SerialText.parse(output.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test("a reload replaces the server certificate and key for new connections; an open connection carries on")
    func serverCertificate() async throws {
        try await withLiveRelay { relay in
            try await Self.withOpenClients(relay, ["centre-a"]) { clients in
                #expect(try await Self.whoami(clients[0]).status == 200)
                let before = try await Self.servedSerial(relay)
                let issued = try relay.pki.ca.issue(commonName: "localhost", usage: .server(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]))
                let certificate = relay.directory.file("server-2.pem"), key = relay.directory.file("server-2.key")
                try (try issued.certificatePEM + "\n").write(toFile: certificate, atomically: true, encoding: .utf8)
                FileManager.default.createFile(atPath: key, contents: Data(issued.privateKeyPEM.utf8), attributes: [.posixPermissions: 0o600])
                try await relay.reconfigure {
                    $0.replacingOccurrences(of: "certificate: \(relay.pki.serverCertificate), private_key: \(relay.pki.serverKey)",
                                            with: "certificate: \(certificate), private_key: \(key)")
                }
                let after = try await Self.servedSerial(relay)
                #expect(after == SerialText.of(issued.certificate.serialNumber.bytes) && after != before)
                #expect(try await Self.whoami(clients[0]).status == 200, "the connection opened before the reload carries on")
                #expect(try await relay.withClient("centre-b") { try await Self.whoami($0).status } == 200)
            }
        }
    }
}
