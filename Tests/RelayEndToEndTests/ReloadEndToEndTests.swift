import Foundation
import RelayCore
import RelayTestSupport
import Testing
import X509

/// The built `relayd` reloads on SIGHUP and on `relayctl reload`: a centre whose certificate is
/// revoked is refused at its next handshake while another centre carries on, and a broken
/// configuration changes nothing (and `relayctl reload` says so with exit code 78).
@Suite("Reload of the built daemon (SIGHUP, relayctl reload)", .serialized)
struct ReloadEndToEndTests {
    func whoami(_ daemon: RelaydProcess, _ principal: String) async throws -> Curl.Response {
        let dev = daemon.workspace.file("certs/dev")
        return try await Curl.request("https://localhost:\(daemon.apiPort)/v1/whoami", ca: "\(dev)/ca.pem",
                                      clientCertificate: ("\(dev)/\(principal).pem", "\(dev)/\(principal).key"))
    }


    @Test("SIGHUP revokes a centre's certificate; relayctl reload reports; a broken configuration changes nothing")
    func hangupAndRelayctl() async throws {
        let daemon = try RelaydProcess()
        try await daemon.start()
        #expect(try await whoami(daemon, "traveller-centre").status == 200)
        let certificate = try Certificate(pemEncoded: String(contentsOfFile: daemon.workspace.file("certs/dev/traveller-centre.pem"), encoding: .utf8))
        let serial = SerialText.of(certificate.serialNumber.bytes)
        let original = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        #expect(original.contains("\nrevoked_serials: []\n"))
        try original.replacingOccurrences(of: "\nrevoked_serials: []\n", with: "\nrevoked_serials: [\"\(serial)\"]\n")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        kill(daemon.process!.processIdentifier, SIGHUP)
        var refused = false
        for _ in 0..<100 where !refused {
            refused = try await whoami(daemon, "traveller-centre").status == 0
            if !refused { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(refused, "the revoked centre's handshake is refused after SIGHUP")
        #expect(try await whoami(daemon, "trans-centre").status == 200)
        #expect(daemon.process!.isRunning)

        // relayctl reload asks the running daemon and reports what changed.
        let reloaded = try await daemon.relayctl(["reload"]).checked("relayctl reload")
        #expect(reloaded.stdout.contains("revocation: 1 serial(s), 0 CRL(s)"), "\(reloaded.stdout)")

        // A broken configuration: refused, exit 78, nothing changed.
        try original.replacingOccurrences(of: "\nrevoked_serials: []\n", with: "\nrevoked_serials: [\"not-hex\"]\n")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let broken = try await daemon.relayctl(["reload", "--ops", "http://127.0.0.1:\(daemon.opsPort)"])
        #expect(broken.status == 78)
        #expect(broken.stderr.contains("Nothing was changed") && broken.stderr.contains("revoked_serials[0]"), "\(broken.stderr)")
        #expect(try await whoami(daemon, "traveller-centre").status == 0, "still revoked")
        #expect(try await whoami(daemon, "trans-centre").status == 200)
        kill(daemon.process!.processIdentifier, SIGHUP)
        try await Task.sleep(for: .milliseconds(300))
        #expect(daemon.process!.isRunning, "a refused reload does not stop the daemon")
        let log = try String(contentsOfFile: daemon.logPath, encoding: .utf8)
        #expect(log.contains("configuration reloaded") && log.contains("reload refused; nothing changed"))
        try await daemon.stop()
        let unreachable = try await daemon.relayctl(["reload", "--ops", "http://127.0.0.1:\(daemon.opsPort)"])
        #expect(unreachable.status == 69)
    }
}
