import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import RelayConfig
import RelayCore

struct Reload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make the running relayd read its configuration again (as SIGHUP does) and report what changed.",
        discussion: """
            Principals, per-role rates, revoked serials, CRLs (tls.crl_file), the server certificate and key and the \
            client CA bundle change at once, without dropping the process or healthy connections; a configuration that \
            does not load changes nothing. Asks the operations listener (ops_listen) of the configuration. \
            Exit codes: 0 reloaded; 69 relayd not reachable; 78 the reload was refused (the message says why).
            """)
    @Option(help: "Configuration file (the one relayd runs with).") var config = "config/relayd.example.yaml"
    @Option(help: "Operations listener URL (default: from ops_listen of the configuration).") var ops: String?

    func run() async throws {
        let base: String
        if let ops {
            base = ops
        } else {
            do {
                let listen = try RelayConfiguration.load(path: config).opsListen
                base = "http://\(listen.host.contains(":") ? "[\(listen.host)]" : listen.host):\(listen.port)"
            } catch let error as ConfigurationError {
                FileHandle.standardError.write(Data("relayctl: \(error)\n".utf8))
                throw ExitCode(78)
            }
        }
        var request = HTTPClientRequest(url: base + "/reload")
        request.method = .POST
        var configuration = HTTPClient.Configuration()
        // AsyncHTTPClient retries a refused connection until the connect timeout.
        configuration.timeout = .init(connect: .seconds(3), read: .seconds(30))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let answer: Result<(status: UInt, text: String), any Error>
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            answer = .success((response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20))))
        } catch {
            answer = .failure(error)
        }
        try? await client.shutdown()
        guard case .success(let (status, text)) = answer else {
            FileHandle.standardError.write(Data("relayctl: relayd is not reachable at \(base). Fix: start relayd, or pass --ops / --config naming its operations listener\n".utf8))
            throw ExitCode(69)
        }
        let body = (try? JSONParser.parse(Array(text.utf8))) ?? .null
        guard status == 200 else {
            FileHandle.standardError.write(Data("relayctl: \(body["detail"]?.stringValue ?? "reload failed (HTTP \(status))"). Fix the configuration and run relayctl reload again.\n".utf8))
            throw ExitCode(78)
        }
        func ids(_ key: String) -> String {
            let list = body[key]?.arrayValue?.compactMap(\.stringValue) ?? []
            return list.isEmpty ? "none" : list.joined(separator: ", ")
        }
        print("reloaded: added \(ids("added")); removed \(ids("removed")); disabled \(ids("disabled")); enabled \(ids("enabled")); changed \(ids("changed"))")
        print("revocation: \(Int(body["revoked_serials"]?.numberValue ?? 0)) serial(s), \(Int(body["revocation_lists"]?.numberValue ?? 0)) CRL(s)")
        if ids("need_restart") != "none" { print("needs a restart to take effect: \(ids("need_restart"))") }
    }
}
