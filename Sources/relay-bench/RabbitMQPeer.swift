import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A throw-away RabbitMQ broker (Debian's `rabbitmq-server`) for the peer measurement: its own
/// node name, data directory and ports, AMQPS only, requiring a client certificate from the
/// same development CA the relay uses (`verify_peer`, `fail_if_no_peer_cert`), no plugins.
final class RabbitMQPeer: @unchecked Sendable {
    static let defaultServer = "/usr/lib/rabbitmq/bin/rabbitmq-server"

    let process = Process()
    let directory: String
    let port: Int
    let tls: TLSConfiguration
    /// The Erlang VM's pid (from the broker's pid file): whose CPU is measured.
    private(set) var pid: Int32 = 0

    /// Whether the broker is installed at `server`.
    static func isInstalled(_ server: String) -> Bool { FileManager.default.isExecutableFile(atPath: server) }

    /// Starts the broker with the relay workspace's development PKI: the server certificate for
    /// the broker, `client` for the publishers.
    init(server: String, workspace: String, client: String) throws {
        directory = "\(workspace)/rabbitmq"
        port = Int.random(in: 40_001...50_000)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certs = "\(workspace)/certs/dev"
        try """
            listeners.tcp = none
            listeners.ssl.default = \(port)
            ssl_options.cacertfile = \(certs)/ca.pem
            ssl_options.certfile = \(certs)/server.pem
            ssl_options.keyfile = \(certs)/server.key
            ssl_options.verify = verify_peer
            ssl_options.fail_if_no_peer_cert = true
            log.console = false
            log.file.level = warning

            """.write(toFile: "\(directory)/rabbitmq.conf", atomically: true, encoding: .utf8)
        try "[].\n".write(toFile: "\(directory)/enabled_plugins", atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in [
            "HOME": directory, "RABBITMQ_NODENAME": "relaybench\(port)@localhost", "RABBITMQ_DIST_PORT": "\(port + 10_000)",
            "RABBITMQ_CONFIG_FILE": "\(directory)/rabbitmq.conf", "RABBITMQ_ENABLED_PLUGINS_FILE": "\(directory)/enabled_plugins",
            "RABBITMQ_MNESIA_BASE": "\(directory)/mnesia", "RABBITMQ_LOG_BASE": "\(directory)/log", "RABBITMQ_PID_FILE": "\(directory)/pid",
        ] { environment[key] = value }
        process.environment = environment
        process.executableURL = URL(fileURLWithPath: server)
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile("\(certs)/\(client).pem").map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: "\(certs)/\(client).key", format: .pem))
        tls.trustRoots = .file("\(certs)/ca.pem")
        self.tls = tls
        try process.run()
    }

    /// Waits until a publisher can connect and declare the queue (Erlang takes seconds to boot).
    func waitUntilReady(group: EventLoopGroup, queue: String) async throws {
        for _ in 0..<600 {
            guard process.isRunning else { throw AMQPError.protocolViolation("rabbitmq-server stopped; see \(directory)/log") }
            if pid == 0, let text = try? String(contentsOfFile: "\(directory)/pid", encoding: .utf8), let value = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                pid = value
            }
            if pid != 0, let publisher = try? await AMQPPublisher.connect(port: port, tls: tls, queue: queue, group: group) {
                await publisher.close()
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw AMQPError.protocolViolation("RabbitMQ did not accept a connection within two minutes; see \(directory)/log")
    }

    func cpuSeconds() -> Double { processCPUSeconds(pid) }

    /// Stops the broker and removes its data. SIGTERM to the server script makes it run
    /// `rabbitmqctl stop` (an orderly shutdown); the VM is killed if it outlives that by 30 s.
    func stop() {
        if process.isRunning { process.terminate() }
        for _ in 0..<300 where process.isRunning || (pid != 0 && kill(pid, 0) == 0) { usleep(100_000) }
        if pid != 0, kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: "\(directory)/mnesia")
    }
}
