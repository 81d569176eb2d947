import Foundation
import RelayClient
import RelayConfig
import RelayCore
import RelayTestSupport
import Testing

@Suite("Mutual TLS and principals (live, certificates minted at test time)")
struct MutualTLSTests {
    /// Tries a full submission over curl with the given client certificate, then checks that no
    /// handler ran: nothing was stored.
    func refusedHandshake(_ relay: LiveRelay, certificate: (String, String)?) async throws -> Curl.Response {
        let body = try relay.submission(SampleReports.full())
        let response = try await Curl.request("\(relay.baseURL)/v1/reports", ca: relay.pki.caFile, clientCertificate: certificate,
                                        method: "POST", contentType: "application/json", body: body.canonicalData)
        #expect(response.exitCode != 0, "curl should fail at the handshake")
        #expect(response.status == 0, "no HTTP response may come back")
        #expect(try await relay.database.reports(centreID: "centre-a", status: nil, after: nil, limit: 10).isEmpty, "no handler ran")
        return response
    }

    /// `openssl s_client`'s account of a handshake with the given certificate.
    func opensslHandshake(_ relay: LiveRelay, certificate: (String, String)?) async throws -> String {
        // -ign_eof keeps s_client reading after its input ends, so the server's alert (sent after the
        // client's Finished in TLS 1.3) is seen; `timeout` bounds it should the server not hang up.
        var arguments = ["20", "openssl", "s_client", "-ign_eof", "-connect", "127.0.0.1:\(relay.apiPort)", "-CAfile", relay.pki.caFile, "-servername", "localhost"]
        if let (cert, key) = certificate { arguments += ["-cert", cert, "-key", key] }
        let result = try await Subprocess.run("timeout", arguments, stdin: Data("GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
        return result.stdout + result.stderr
    }

    @Test("a valid centre certificate is served")
    func valid() async throws {
        try await withLiveRelay { relay in
            let whoami = try await relay.withClient("centre-a") { try await $0.call(.GET, "/v1/whoami").body }
            #expect(whoami == ["principal_id": "centre-a", "role": "centre", "name": "Centre A"])
            let curl = try await Curl.request("\(relay.baseURL)/v1/whoami", ca: relay.pki.caFile,
                                        clientCertificate: (relay.pki.certificate("centre-a"), relay.pki.key("centre-a")))
            #expect(curl.status == 200)
        }
    }

    @Test("no client certificate: the handshake is refused and no handler runs")
    func noCertificate() async throws {
        try await withLiveRelay { relay in
            _ = try await refusedHandshake(relay, certificate: nil)
            #expect(try await opensslHandshake(relay, certificate: nil).contains("certificate required"))
        }
    }

    @Test("a certificate from another CA: the handshake is refused and no handler runs")
    func otherCA() async throws {
        try await withLiveRelay { relay in
            try relay.pki.issueFromOtherCA("centre-a", name: "impostor")
            _ = try await refusedHandshake(relay, certificate: (relay.pki.certificate("impostor"), relay.pki.key("impostor")))
            #expect(try await opensslHandshake(relay, certificate: (relay.pki.certificate("impostor"), relay.pki.key("impostor"))).contains("unknown ca"))
        }
    }

    @Test("an expired certificate: the handshake is refused and no handler runs")
    func expired() async throws {
        try await withLiveRelay { relay in
            try relay.pki.issueClient("centre-a", name: "expired", notBefore: Date().addingTimeInterval(-10 * 86_400),
                                      notAfter: Date().addingTimeInterval(-86_400))
            _ = try await refusedHandshake(relay, certificate: (relay.pki.certificate("expired"), relay.pki.key("expired")))
            #expect(try await opensslHandshake(relay, certificate: (relay.pki.certificate("expired"), relay.pki.key("expired"))).contains("certificate expired"))
        }
    }

    @Test("a valid certificate of no principal gets 403 problem+json on every request")
    func unknownPrincipal() async throws {
        try await withLiveRelay { relay in
            for path in ["/v1/whoami", "/v1/keys", "/v1/reports"] {
                let response = try await Curl.request("\(relay.baseURL)\(path)", ca: relay.pki.caFile,
                                                clientCertificate: (relay.pki.certificate("stranger"), relay.pki.key("stranger")))
                #expect(response.status == 403)
                #expect(response.contentType == "application/problem+json")
                #expect(try JSONParser.parse(Array(response.body.utf8))["type"] == "https://reportrelay.invalid/problems/forbidden")
            }
        }
    }

    @Test("roles are enforced per endpoint")
    func roles() async throws {
        try await withLiveRelay { relay in
            let asCentre = try await relay.withClient("centre-a") { client in
                try await client.send(.POST, "/v1/intake/lease", body: ["max": 1])
            }
            #expect(asCentre.status == 403)
            let asIntake = try await relay.withClient("intake-a") { client in
                try await client.send(.POST, "/v1/reports", body: try relay.submission(SampleReports.full()))
            }
            #expect(asIntake.status == 403)
            let asAuditor = try await relay.withClient("auditor") { try await $0.send(.GET, "/v1/reports") }
            #expect(asAuditor.status == 403)
        }
    }

    @Test("centre A asking for centre B's report gets 404, not 403")
    func otherCentre() async throws {
        try await withLiveRelay { relay in
            let id = UUID()
            let created = try await relay.withClient("centre-b") { try await $0.send(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(), reportID: id)) }
            #expect(created.status == 201)
            let (mine, theirs) = try await relay.withClient("centre-a") { client in
                (try await client.send(.GET, "/v1/reports/\(id.lowercasedString)"), try await client.send(.GET, "/v1/reports/\(UUID().lowercasedString)"))
            }
            #expect(mine.status == 404)
            #expect(mine.body == theirs.body, "another centre's report looks exactly like one that does not exist")
            let receipts = try await relay.withClient("centre-a") { try await $0.call(.GET, "/v1/receipts").body }
            #expect(receipts["receipts"]?.arrayValue?.isEmpty == true)
        }
    }
}

@Suite("Certificates made with the openssl CLI")
struct OpenSSLPKITests {
    /// A CA, a server certificate and a client certificate for `centre-a`, all made by `openssl`.
    static func makePKI(in directory: TemporaryDirectory) async throws {
        func openssl(_ arguments: [String]) async throws {
            try await Subprocess.run("openssl", arguments, directory: directory.path).checked("openssl \(arguments.first ?? "")")
        }
        try await openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                     "-days", "30", "-subj", "/O=Example Police/CN=Example Police Issuing CA",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n"
            .write(toFile: directory.file("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n".write(toFile: directory.file("client.ext"), atomically: true, encoding: .utf8)
        for (name, subject, ext) in [("server", "/CN=localhost", "server.ext"), ("client", "/O=Example Centre/CN=centre-a", "client.ext")] {
            try await openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject])
            try await openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "\(name).pem",
                         "-days", "30", "-extfile", ext])
            chmod(directory.file("\(name).key"), 0o600)
        }
    }

    @Test("an openssl CA, server and client certificate work end to end")
    func openssl() async throws {
        let directory = try TemporaryDirectory("openssl-pki")
        try await Self.makePKI(in: directory)
        let tls = LiveRelay.ExternalTLS(certificate: directory.file("server.pem"), privateKey: directory.file("server.key"), clientCA: directory.file("ca.pem"))
        try await withLiveRelay(externalTLS: tls) { relay in
            let curl = try await Curl.request("\(relay.baseURL)/v1/whoami", ca: directory.file("ca.pem"),
                                        clientCertificate: (directory.file("client.pem"), directory.file("client.key")))
            #expect(curl.status == 200)
            #expect(try JSONParser.parse(Array(curl.body.utf8))["principal_id"] == "centre-a")
            let profile = ClientProfile(server: relay.baseURL, certificate: directory.file("client.pem"), privateKey: directory.file("client.key"),
                                        caBundle: directory.file("ca.pem"), stateDirectory: directory.file("state"))
            let client = try RelayAPIClient(profile: profile)
            let submitted = try await client.send(.POST, "/v1/reports", body: try relay.submission(SampleReports.full()))
            await client.shutdown()
            #expect(submitted.status == 201)
            // The relay's own test CA is no longer trusted for clients.
            let minted = try await Curl.request("\(relay.baseURL)/v1/whoami", ca: directory.file("ca.pem"),
                                          clientCertificate: (relay.pki.certificate("centre-a"), relay.pki.key("centre-a")))
            #expect(minted.status == 0 && minted.exitCode != 0)
        }
    }
}

@Suite("SubjectPublicKeyInfo pins")
struct PinTests {
    /// The pin exactly as config/relayd.example.yaml tells an operator to compute it.
    static func pin(_ certificate: String) async throws -> String {
        let result = try await Subprocess.run("bash", ["-c", "openssl x509 -in '\(certificate)' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -r"])
            .checked("openssl pin")
        return String(result.stdout.prefix(64))
    }

    @Test("a pinned principal is served with its own key and refused with another key under the same name")
    func pinned() async throws {
        try await withLiveRelay(pins: { pki in
            ["centre-a": try await PinTests.pin(pki.certificate("centre-a")), "centre-b": String(repeating: "0", count: 64)]
        }) { relay in
            #expect(try await relay.withClient("centre-a") { try await $0.send(.GET, "/v1/whoami").status } == 200)
            try relay.pki.issueClient("centre-a", name: "centre-a-other-key")
            let impostor = try await relay.withClient("centre-a-other-key") { try await $0.send(.GET, "/v1/whoami").status }
            #expect(impostor == 403, "same name, same CA, another key")
            #expect(try await relay.withClient("centre-b") { try await $0.send(.GET, "/v1/whoami").status } == 403, "pin does not match")
            #expect(try await relay.withClient("intake-a") { try await $0.send(.GET, "/v1/whoami").status } == 200,
                    "principals without a pin are matched by name")
        }
    }
}
