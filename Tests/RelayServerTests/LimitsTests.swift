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

    /// `Tests/Interop/connections.py` against the relay's API port (with the centre's certificate
    /// when `tls`); returns its output.
    static func probe(_ relay: LiveRelay, _ arguments: [String], tls: String? = nil, port: Int? = nil) async throws -> String {
        let certificate = tls.map { ["--tls", relay.pki.caFile, relay.pki.certificate($0), relay.pki.key($0)] } ?? []
        let output = try await Python.run("connections.py", [arguments[0], "\(port ?? relay.apiPort)"] + arguments.dropFirst() + certificate)
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("each stage has its deadline: no ClientHello, half a ClientHello, a trickled head, a trickled body, an idle keep-alive")
    func stageTimeouts() async throws {
        let limits = "handshake_timeout_seconds: 2, request_head_timeout_seconds: 2, request_body_timeout_seconds: 3, idle_timeout_seconds: 5"
        try await withLiveRelay(extraLimits: limits) { relay in
            func seconds(_ first: String, _ trickle: String, tls: String? = nil) async throws -> Double {
                Double(try await Self.probe(relay, ["until-closed", first, trickle, "0.5"], tls: tls)) ?? -1
            }
            let silent = try await seconds("", "")
            #expect(silent >= 1.5 && silent < 4, "no ClientHello: closed after \(silent) s (handshake deadline 2 s)")
            // Half a ClientHello: a TLS record header promising more than is sent.
            let halfHello = try await seconds("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}", "")
            #expect(halfHello >= 1.5 && halfHello < 4, "half a ClientHello: closed after \(halfHello) s")
            // A head sent a byte every half second never completes: the head deadline, not the
            // idle timeout (which each byte would otherwise keep putting off), closes it.
            let head = try await seconds("GET /v1/whoami HTTP/1.1\r\n", "X-Slow: aaaaaaaa", tls: "centre-a")
            #expect(head >= 1.5 && head < 4, "a trickled head: closed after \(head) s (head deadline 2 s)")
            let body = try await seconds("POST /v1/reports HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{",
                                         "\"a\": 1, ", tls: "centre-a")
            #expect(body >= 2.5 && body < 5, "a trickled body: closed after \(body) s (body deadline 3 s)")
            // A keep-alive connection that asks once and then goes quiet (s_client keeps it open).
            let start = ContinuousClock.now
            let output = try await Self.sClient(relay, certificate: "centre-a", input: "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n\r\n", seconds: 20)
            let elapsed = start.duration(to: .now)
            #expect(output.contains("HTTP/1.1 200"))
            #expect(elapsed > .seconds(4) && elapsed < .seconds(10), "the idle keep-alive was closed by the relay after 5 s, not by the test's timeout (\(elapsed))")
        }
    }

    @Test("at the connection cap, idle TCP connections make way for a client with a certificate; /readyz answers throughout")
    func connectionCapEvictsUnauthenticated() async throws {
        try await withLiveRelay(extraLimits: "max_connections: 8, handshake_timeout_seconds: 60") { relay in
            // Eight bare TCP connections that never say anything fill the listener.
            let flood = Task { try await Self.probe(relay, ["hold", "8", "10"]) }
            for _ in 0..<100 where relay.services.connections.openCount < 8 { try await Task.sleep(for: .milliseconds(100)) }
            #expect(relay.services.connections.openCount == 8)
            var latencies: [Double] = []
            for _ in 0..<12 {
                let started = ContinuousClock.now
                let response = try await relay.withClient("centre-a") { try await $0.send(.GET, "/v1/whoami") }
                #expect(response.status == 200)
                let elapsed = started.duration(to: .now)
                latencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                let ready = try await Subprocess.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "5", "http://127.0.0.1:\(relay.opsPort)/readyz"])
                #expect(ready.stdout == "200")
            }
            // Documented bound (README "Limits and abuse"): at the cap a client is served with a median
            // under 1 s and every one under 3 s (a new client and handshake each, on a shared machine).
            #expect(latencies.sorted()[latencies.count / 2] < 1, "latencies at the cap: \(latencies)")
            #expect(latencies.max()! < 3, "latencies at the cap: \(latencies)")
            let closedByServer = Int(try await flood.value) ?? -1
            // The first client evicted the oldest idle connection; later ones mostly used the room
            // it left (one more may go when a client arrives before the last one's close is seen).
            #expect((1...8).contains(closedByServer), "\(closedByServer) of 8 idle connections were closed by the relay")
        }
    }

    @Test("at the connection cap with every connection established, a new one is refused; room returns when one closes")
    func connectionCapRefuses() async throws {
        try await withLiveRelay(extraLimits: "max_connections: 8") { relay in
            let held = Task { try await Self.probe(relay, ["hold", "8", "10"], tls: "centre-a") }
            // All eight through their handshakes (one still in its handshake would rightly be evicted).
            for _ in 0..<100 where relay.services.peerIdentities.count < 8 { try await Task.sleep(for: .milliseconds(100)) }
            let refused = try await Curl.request("\(relay.baseURL)/v1/whoami", ca: relay.pki.caFile, 
                                                  clientCertificate: (relay.pki.certificate("centre-a"), relay.pki.key("centre-a")))
            #expect(refused.status == 0, "no TLS session at the cap: \(refused)")
            let ready = try await Subprocess.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "5", "http://127.0.0.1:\(relay.opsPort)/readyz"])
            #expect(ready.stdout == "200", "the operations listener has its own budget")
            #expect(try await held.value == "0", "established connections are not evicted")
            for _ in 0..<50 where relay.services.connections.openCount > 0 { try await Task.sleep(for: .milliseconds(100)) }
            let served = try await relay.withClient("centre-a") { try await $0.send(.GET, "/v1/whoami") }
            #expect(served.status == 200)
        }
    }

    @Test("a connection serves max_requests_per_connection requests; the last response says Connection: close and the relay closes it")
    func requestsPerConnection() async throws {
        try await withLiveRelay(extraLimits: "max_requests_per_connection: 3") { relay in
            let lines = try await Self.probe(relay, ["keepalive", "5"], tls: "centre-a").split(separator: "\n").map(String.init)
            #expect(lines == ["200 - open", "200 - open", "200 close closed", "eof"], "\(lines)")
        }
    }

    @Test("requests the HTTP parser refuses (an oversized head, a smuggling attempt, raw bytes in the path) get problem+json and the connection closes")
    func parserErrors() async throws {
        try await withLiveRelay { relay in
            let oversized = "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nX-Big: \(String(repeating: "a", count: 90_000))\r\n\r\n"
            let smuggling = "POST /v1/reports HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            let rawPath = "GET /v1/who\u{FF}ami HTTP/1.1\r\nHost: localhost\r\n\r\n"
            for (name, input) in [("oversized head", oversized), ("smuggling", smuggling), ("raw path bytes", rawPath)] {
                let started = ContinuousClock.now
                let output = try await Self.sClient(relay, certificate: "centre-a", input: input, seconds: 10)
                #expect(output.contains("HTTP/1.1 400"), "\(name): \(output.prefix(300))")
                #expect(output.contains("Content-Type: application/problem+json") || output.contains("content-type: application/problem+json"), "\(name)")
                #expect(output.contains("\"type\":\"https://reportrelay.invalid/problems/malformed-request\""), "\(name): \(output.prefix(600))")
                #expect(started.duration(to: .now) < .seconds(8), "\(name): the relay closed the connection")
            }
        }
    }

    @Test("the client's identity is derived once per connection, at its handshake, and dropped when it closes")
    func identityPerConnection() async throws {
        try await withLiveRelay { relay in
            try await relay.withClient("centre-a") { client in
                for _ in 0..<3 {
                    let response = try await client.send(.GET, "/v1/whoami")
                    #expect(response.status == 200)
                }
                #expect(relay.services.peerIdentities.count == 1, "one keep-alive connection, one identity")
            }
            for _ in 0..<50 where relay.services.peerIdentities.count > 0 { try await Task.sleep(for: .milliseconds(100)) }
            #expect(relay.services.peerIdentities.count == 0)
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

    /// The median of `count` sequential requests' latencies (seconds) from `client`.
    static func medianLatency(_ client: RelayAPIClient, count: Int, _ request: () async throws -> RelayAPIClient.RawResponse) async throws -> Double {
        var latencies: [Double] = []
        for _ in 0..<count {
            let started = ContinuousClock.now
            let response = try await request()
            #expect(response.status == 200)
            let elapsed = started.duration(to: .now)
            latencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return latencies.sorted()[count / 2]
    }

    @Test("a flood from one centre over its rate raises another centre's median latency by at most 4x + 10 ms")
    func floodFairness() async throws {
        // The other centre's 43 requests fit in its own burst; the flooder's bucket runs dry.
        try await withLiveRelay(extraLimits: "rate: {centre: {per_second: 0.5, burst: 45}}") { relay in
            let flooder = relay.profile("centre-a")
            let submission = try relay.submission(SampleReports.full())
            try await relay.withClient("centre-b") { other in
                let request = { try await other.send(.GET, "/v1/reports?limit=1") }
                _ = try await Self.medianLatency(other, count: 3, request)  // warm: the connection is open
                let quiet = try await Self.medianLatency(other, count: 20, request)
                let floodStarted = ContinuousClock.now
                let flood = Task {
                    try await withThrowingTaskGroup(of: [Int].self) { group in
                        for _ in 0..<4 {
                            group.addTask {
                                let client = try RelayAPIClient(profile: flooder)
                                var statuses: [Int] = []
                                while !Task.isCancelled {
                                    statuses.append((try? await client.send(.POST, "/v1/reports", body: submission))?.status ?? 0)
                                }
                                await client.shutdown()
                                return statuses
                            }
                        }
                        return try await group.reduce([], +)
                    }
                }
                try await Task.sleep(for: .milliseconds(500))
                let flooded = try await Self.medianLatency(other, count: 20, request)
                flood.cancel()
                let statuses = try await flood.value
                let elapsed = ContinuousClock.now - floodStarted
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let refused = statuses.filter { $0 == 429 }.count
                print("flood fairness: centre-b median \(Int(quiet * 1e6)) µs quiet, \(Int(flooded * 1e6)) µs while centre-a sent \(statuses.count) requests in \(String(format: "%.1f", seconds)) s (\(refused) refused 429)")
                // Past its burst of 45 plus what its 0.5/s refills over the flood (a loaded machine
                // makes the flood last longer), every request was refused.
                // A request cut off when the flood is cancelled has no status (0) and is not counted.
                let allowed = 45 + Int((0.5 * seconds).rounded(.up)) + 1
                let answered = statuses.filter { $0 != 429 && $0 != 0 }.count
                #expect(refused > 0 && answered <= allowed, "past its burst, the flood was refused: \(answered) answered, \(refused) refused in \(seconds) s")
                // Documented bound (README "Limits and abuse").
                #expect(flooded <= 4 * quiet + 0.010, "median \(flooded) s under flood vs \(quiet) s quiet")
            }
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
