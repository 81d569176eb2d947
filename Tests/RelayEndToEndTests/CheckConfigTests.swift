import Foundation
import RelayTestSupport
import Testing

/// `relayd check-config` and `relayctl pki init` / `keys init`, as built binaries.
@Suite("relayd check-config (built binaries)")
struct CheckConfigTests {
    @Test("relayd check-config accepts the example after first start files exist, and names the fix when they do not")
    func checkConfig() async throws {
        let directory = try TemporaryDirectory("check-config")
        let result = try await Subprocess.run(Repository.binary("relayd"), ["check-config", "\(Repository.root)/config/relayd.example.yaml"], directory: directory.path)
        #expect(result.status == 78)
        #expect(result.stderr.contains("relayctl pki init") || result.stderr.contains("relay keygen"))
        try await Subprocess.run(Repository.binary("relayctl"), ["pki", "init", "--config", "\(Repository.root)/config/relayd.example.yaml"], directory: directory.path).checked("relayctl pki init")
        try await Subprocess.run(Repository.binary("relayctl"), ["keys", "init", "--config", "\(Repository.root)/config/relayd.example.yaml"], directory: directory.path).checked("relayctl keys init")
        let ok = try await Subprocess.run(Repository.binary("relayd"), ["check-config", "\(Repository.root)/config/relayd.example.yaml"], directory: directory.path)
        #expect(ok.status == 0, "\(ok.stderr)")
        chmod(directory.file("var/keys/pseudonym.hmac"), 0o644)
        let loose = try await Subprocess.run(Repository.binary("relayd"), ["check-config", "\(Repository.root)/config/relayd.example.yaml"], directory: directory.path)
        #expect(loose.status == 78)
        #expect(loose.stderr.contains("chmod 600"))
    }
}
