import Foundation
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

/// schemathesis against `openapi/reportrelay.openapi.yaml`, as each role over mutual TLS and on
/// the operations listener (`scripts/fuzz-api`): every check, up to 100 examples per operation,
/// no server error and no response that does not conform to the document.
@Suite("The API fuzzed against its OpenAPI document (schemathesis)", .serialized)
struct FuzzTests {
    static func fuzz(_ arguments: [String]) async throws -> (status: Int32, summary: String, output: String) {
        let result = try await Subprocess.run("\(Repository.root)/scripts/fuzz-api", arguments, directory: Repository.root)
        let output = result.stdout + result.stderr
        let summary = output.split(separator: "\n").last { $0.contains(" generated, ") }.map(String.init) ?? ""
        return (result.status, summary.trimmingCharacters(in: .whitespaces), output)
    }

    @Test("each role and the operations listener: zero server errors, zero conformance failures")
    func everyRole() async throws {
        // Rates high enough that the fuzzer is never the one being limited.
        let rates = "rate: {centre: {per_second: 100000, burst: 100000}, intake: {per_second: 100000, burst: 100000}, auditor: {per_second: 100000, burst: 100000}}"
        try await withLiveRelay(extraLimits: rates) { relay in
            // Some history, so that listings, leases and audit reads have something to return.
            try await relay.withClient("centre-a") { client in
                for level in [ConsentLevel.anonymous, .identity, .statsOnly] {
                    _ = try await client.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(level: level)))
                }
            }
            _ = try await relay.withClient("intake-a") { try await $0.call(.POST, "/v1/intake/lease", body: ["max": 1]) }
            for role in [("centre", "centre-a"), ("intake", "intake-a"), ("auditor", "auditor")] {
                let run = try await Self.fuzz([role.0, relay.baseURL, relay.pki.caFile, relay.pki.certificate(role.1), relay.pki.key(role.1)])
                #expect(run.status == 0, "\(role.0): \(run.output.suffix(6000))")
                print("schemathesis as \(role.0): \(run.summary)")
                #expect(run.summary.contains(" passed") && !run.summary.contains("failure"), "\(role.0): \(run.summary)")
            }
            let ops = try await Self.fuzz(["operations", "http://127.0.0.1:\(relay.opsPort)"])
            #expect(ops.status == 0, "operations: \(ops.output.suffix(6000))")
            print("schemathesis on the operations listener: \(ops.summary)")
        }
    }
}
