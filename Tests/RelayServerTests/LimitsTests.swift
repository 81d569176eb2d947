import Foundation
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

/// Holding up under abuse (live relay, real mutual TLS): refused-handshake counting, the TLS
/// policy, timeouts, body limits and budget, strict input, file modes.
@Suite("Limits and abuse (live)")
struct LimitsTests {
    /// `openssl s_client` with `input`, keeping the connection open until the server closes it or
    /// `seconds` pass; returns everything both sides printed.
    static func sClient(_ relay: LiveRelay, certificate: String?, input: String, extra: [String] = [], seconds: Int = 15) async throws -> String {
        var arguments = ["\(seconds)", "openssl", "s_client", "-quiet", "-ign_eof", "-connect", "127.0.0.1:\(relay.apiPort)",
                         "-CAfile", relay.pki.caFile, "-servername", "localhost"] + extra
        if let certificate { arguments += ["-cert", relay.pki.certificate(certificate), "-key", relay.pki.key(certificate)] }
        let result = try await Subprocess.run("timeout", arguments, stdin: Data(input.utf8))
        return result.stdout + result.stderr
    }

    /// Seconds until the relay closes a plain TCP connection on which the client sends `send`
    /// and then nothing more.
    static func secondsUntilClosed(port: Int, send: String = "") async throws -> Double {
        let script = """
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", \(port)))
            s.sendall(sys.argv[1].encode())
            start = time.monotonic()
            s.settimeout(30)
            try:
                while s.recv(4096):
                    pass
            except Exception:
                pass
            print(round(time.monotonic() - start, 2))
            """
        let result = try await Subprocess.run("python3", ["-c", script, send]).checked("python3 socket")
        return Double(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test("refused handshakes past the 60-a-minute cap are counted into the next entry's suppressed_since_last")
    func suppressedCount() async throws {
        let clock = TestClock()
        try await withLiveRelay(clock: clock) { relay in
            for _ in 0..<63 {
                _ = try await Curl.request("\(relay.baseURL)/v1/whoami", ca: relay.pki.caFile, clientCertificate: nil)
            }
            clock.advance(by: 61)
            _ = try await Curl.request("\(relay.baseURL)/v1/whoami", ca: relay.pki.caFile, clientCertificate: nil)
            // Entries are written off the event loop: wait for the 61st.
            var refused: [AuditEntry] = []
            for _ in 0..<100 {
                let size = try await relay.database.auditSize()
                refused = try await relay.database.auditEntries(start: 0, end: size).filter { $0.action == "certificate_refused" }
                if refused.count >= 61 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(refused.count == 61, "60 entries in the first minute, then one in the next")
            #expect(refused.prefix(60).allSatisfy { $0.details["suppressed_since_last"] == 0 })
            #expect(refused.last?.details["suppressed_since_last"] == 3, "the three over the cap are counted, not lost")
        }
    }

    @Test("TLS 1.2 offers ECDHE with AEAD only: a CBC suite is refused, a GCM suite served")
    func cipherPolicy() async throws {
        try await withLiveRelay { relay in
            let request = "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            for cbc in ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256"] {
                let refused = try await Self.sClient(relay, certificate: "centre-a", input: request, extra: ["-tls1_2", "-cipher", cbc], seconds: 10)
                #expect(!refused.contains("HTTP/1.1 200"), "\(cbc) must not be negotiated")
                #expect(refused.lowercased().contains("handshake failure") || refused.lowercased().contains("no cipher") || refused.contains("alert"), "\(refused)")
            }
            let served = try await Self.sClient(relay, certificate: "centre-a", input: request, extra: ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"], seconds: 10)
            #expect(served.contains("HTTP/1.1 200"), "\(served)")
        }
    }

    @Test("a connection that stalls (no handshake, half a request head, idle keep-alive) is closed after the idle timeout")
    func idleTimeout() async throws {
        try await withLiveRelay(extraLimits: "idle_timeout_seconds: 2") { relay in
            let silent = try await Self.secondsUntilClosed(port: relay.apiPort)
            #expect(silent >= 1.5 && silent < 8, "no ClientHello: closed after \(silent) s")
            // Half a ClientHello: a TLS record header promising more than is sent.
            let halfHello = try await Self.secondsUntilClosed(port: relay.apiPort, send: "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}")
            #expect(halfHello >= 1.5 && halfHello < 8, "half a ClientHello: closed after \(halfHello) s")
            // A keep-alive connection that asks once and then goes quiet (s_client keeps it open).
            let start = ContinuousClock.now
            let output = try await Self.sClient(relay, certificate: "centre-a", input: "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n\r\n", seconds: 20)
            let elapsed = start.duration(to: .now)
            #expect(output.contains("HTTP/1.1 200"))
            #expect(elapsed < .seconds(10), "the idle keep-alive was closed by the relay, not by the test's timeout")
        }
    }

    @Test("a declared Content-Length over the limit gets 413 before any body is sent")
    func declaredTooLarge() async throws {
        try await withLiveRelay(extraLimits: "idle_timeout_seconds: 3") { relay in
            let head = "POST /v1/reports HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000000000000000\r\n\r\n"
            let output = try await Self.sClient(relay, certificate: "centre-a", input: head, seconds: 12)
            #expect(output.contains("HTTP/1.1 413"), "\(output)")
            #expect(output.contains("application/problem+json"))
        }
    }

    @Test("bodies in flight share a memory budget: past it a new request gets 503 with Retry-After")
    func bodyBudget() async throws {
        try await withLiveRelay(extraLimits: "idle_timeout_seconds: 4, body_budget_bytes: 1048576") { relay in
            // One request declares almost the whole budget and stalls.
            let head = "POST /v1/reports HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1048000\r\n\r\n{\"report_id\""
            let stalled = Task { try await Self.sClient(relay, certificate: "centre-a", input: head, seconds: 10) }
            var refusal: RelayAPIClient.RawResponse?
            for _ in 0..<50 where relay.services.bodyBudget.inUse == 0 { try await Task.sleep(for: .milliseconds(100)) }
            #expect(relay.services.bodyBudget.inUse == 1_048_000, "the stalled body holds its declared length")
            refusal = try await relay.withClient("centre-a") { try await $0.send(.POST, "/v1/reports", body: try relay.submission(SampleReports.full())) }
            #expect(refusal?.status == 503)
            #expect(refusal?.body["type"]?.stringValue?.hasSuffix("unavailable") == true, "\(String(describing: refusal?.body))")
            _ = try await stalled.value
            // The stalled request was closed by the idle timeout and its reservation returned.
            #expect(relay.services.bodyBudget.inUse == 0)
            let accepted = try await relay.withClient("centre-a") { try await $0.send(.POST, "/v1/reports", body: try relay.submission(SampleReports.full())) }
            #expect(accepted.status == 201)
        }
    }

    @Test("strict input: a non-UTF-8 charset is 415; null or empty where a value is expected is 400 with its pointer")
    func strictInput() async throws {
        try await withLiveRelay { relay in
            let body = try relay.submission(SampleReports.full()).canonicalData
            let centre = (relay.pki.certificate("centre-a"), relay.pki.key("centre-a"))
            let latin = try await Curl.request("\(relay.baseURL)/v1/reports", ca: relay.pki.caFile, clientCertificate: centre, method: "POST",
                                               contentType: "application/json; charset=latin-1", body: body)
            #expect(latin.status == 415)
            #expect(latin.contentType == "application/problem+json")
            let utf8 = try await Curl.request("\(relay.baseURL)/v1/reports", ca: relay.pki.caFile, clientCertificate: centre, method: "POST",
                                              contentType: "application/json; charset=UTF-8", body: body)
            #expect(utf8.status == 201)
            let nullLease = try await relay.withClient("intake-a") { try await $0.send(.POST, "/v1/intake/lease", body: ["lease_seconds": .null]) }
            #expect(nullLease.status == 400)
            #expect(nullLease.body["errors"]?.arrayValue?.first?["pointer"] == "/lease_seconds")
            let emptyLimit = try await Curl.request("\(relay.baseURL)/v1/receipts?limit=", ca: relay.pki.caFile, clientCertificate: centre)
            #expect(emptyLimit.status == 400)
            #expect(emptyLimit.body.contains("/limit"))
            let auditor = (relay.pki.certificate("auditor"), relay.pki.key("auditor"))
            let emptyState = try await Curl.request("\(relay.baseURL)/v1/deliveries?state=", ca: relay.pki.caFile, clientCertificate: auditor)
            #expect(emptyState.status == 400)
            #expect(emptyState.body.contains("/state"))
        }
    }

    @Test("a centre over its rate gets 429 with Retry-After while another centre is served; refusals are summarised in the audit log")
    func rateLimit() async throws {
        // The relay's clock stands still, so no token comes back however slowly the requests go.
        let clock = TestClock()
        try await withLiveRelay(clock: clock, extraLimits: "rate: {centre: {per_second: 0.5, burst: 3}}") { relay in
            let centreA = (relay.pki.certificate("centre-a"), relay.pki.key("centre-a"))
            var statuses: [Int] = []
            var retryAfter: [String] = []
            for _ in 0..<8 {
                let result = try await Subprocess.run("curl", ["-sS", "-i", "--cacert", relay.pki.caFile, "--cert", centreA.0, "--key", centreA.1,
                                                               "\(relay.baseURL)/v1/whoami"])
                let lines = result.stdout.components(separatedBy: "\r\n")
                statuses.append(Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0)
                retryAfter += lines.filter { $0.lowercased().hasPrefix("retry-after:") }
                if statuses.last == 429 { #expect(result.stdout.contains("application/problem+json") && result.stdout.contains("rate-limited")) }
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == 200 }, "the burst: \(statuses)")
            #expect(statuses.dropFirst(3).allSatisfy { $0 == 429 }, "over the rate: \(statuses)")
            #expect(retryAfter.count == 5 && retryAfter.allSatisfy { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)).map { $0 >= 1 } == true })
            // Another centre has its own bucket.
            let other = try await relay.withClient("centre-b") { try await $0.send(.GET, "/v1/whoami") }
            #expect(other.status == 200)
            try await relay.services.recordRateLimitSummaries()
            let size = try await relay.database.auditSize()
            let summaries = try await relay.database.auditEntries(start: 0, end: size).filter { $0.action == "rate_limited" }
            #expect(summaries.count == 1, "one entry per principal, not one per request")
            #expect(summaries.first?.actor == "centre-a")
            #expect(summaries.first?.details["refused"] == 5)
        }
    }

    @Test("a known path with a method it does not serve (TRACE, DELETE) gets 405 with Allow; an unknown path 404")
    func methodNotAllowed() async throws {
        try await withLiveRelay { relay in
            let centre = ["--cert", relay.pki.certificate("centre-a"), "--key", relay.pki.key("centre-a")]
            func request(_ method: String, _ path: String) async throws -> String {
                try await Subprocess.run("curl", ["-sS", "-i", "-X", method, "--cacert", relay.pki.caFile] + centre + ["\(relay.baseURL)\(path)"]).stdout
            }
            let trace = try await request("TRACE", "/v1/reports")
            #expect(trace.hasPrefix("HTTP/1.1 405"), "\(trace)")
            #expect(trace.lowercased().contains("allow: get, post"))
            #expect(trace.contains("application/problem+json"))
            let delete = try await request("DELETE", "/v1/reports/\(UUID().lowercasedString)")
            #expect(delete.hasPrefix("HTTP/1.1 405"))
            #expect(delete.lowercased().contains("allow: get"))
            let unknown = try await request("GET", "/v1/nothing-here")
            #expect(unknown.hasPrefix("HTTP/1.1 404"))
        }
    }

    @Test("the database and its WAL and shared-memory files are mode 0600 whatever the umask")
    func fileModes() async throws {
        let previous = umask(0o002)
        defer { umask(previous) }
        try await withLiveRelay { relay in
            _ = try await relay.withClient("centre-a") { try await $0.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full())) }
            let path = relay.directory.file("relay.sqlite")
            for file in [path, path + "-wal", path + "-shm"] {
                let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
                #expect(mode == 0o600, "\(file) is \(String(mode, radix: 8))")
            }
        }
    }
}
