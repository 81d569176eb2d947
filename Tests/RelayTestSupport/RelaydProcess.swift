import Foundation

/// The built `relayd` binary run as a child process with its own configuration, development PKI
/// and SQLite file in a temporary workspace (for crash and end-to-end tests).
public final class RelaydProcess: @unchecked Sendable {
    // Mutable only from the test that owns it, one step at a time.
    public let workspace: TemporaryDirectory
    public private(set) var apiPort: Int
    public private(set) var opsPort: Int
    public private(set) var process: Process?
    public var configPath: String { workspace.file("relayd.yaml") }
    public var databasePath: String { workspace.file("var/relay.sqlite") }
    public var logPath: String { workspace.file("relayd.log") }

    /// Writes a configuration based on `config/relayd.example.yaml` with fresh ports and every
    /// path inside the workspace.
    public init() throws {
        workspace = try TemporaryDirectory("relayd")
        apiPort = try FreePort.find()
        opsPort = try FreePort.find()
        var yaml = try String(contentsOfFile: "\(Repository.root)/config/relayd.example.yaml", encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "port: 8443", with: "port: \(apiPort)")
            .replacingOccurrences(of: "port: 9090", with: "port: \(opsPort)")
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// A principal's `relay` profile, written by the development PKI on first start.
    public func profile(_ principal: String) -> String { workspace.file("certs/dev/\(principal).profile.json") }

    /// Starts the daemon and waits until `/readyz` answers 200. A port found free can be taken
    /// by another test before relayd binds it; then relayd exits 69 saying so, and it is started
    /// again on fresh ports (at most three times).
    public func start() async throws {
        for attempt in 1...3 {
            process = try Subprocess.start(Repository.binary("relayd"), ["--config", configPath], logFile: logPath, directory: workspace.path)
            do {
                try await waitUntilReady()
                return
            } catch let failure as CommandFailure where attempt < 3 && failure.status == 69 && failure.output.contains("already in use") {
                try movePorts()
            }
        }
    }

    /// Gives the configuration fresh ports.
    private func movePorts() throws {
        let (oldAPI, oldOps) = (apiPort, opsPort)
        apiPort = try FreePort.find()
        opsPort = try FreePort.find()
        let yaml = try String(contentsOfFile: configPath, encoding: .utf8)
            .replacingOccurrences(of: "port: \(oldAPI)", with: "port: \(apiPort)")
            .replacingOccurrences(of: "port: \(oldOps)", with: "port: \(opsPort)")
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        // The development PKI's profiles, written by the first start, name the API port.
        let profiles = workspace.file("certs/dev")
        for file in (try? FileManager.default.contentsOfDirectory(atPath: profiles)) ?? [] where file.hasSuffix(".profile.json") {
            let path = "\(profiles)/\(file)"
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "localhost:\(oldAPI)", with: "localhost:\(apiPort)")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    /// Starts the daemon in a mount namespace of its own, where `var/` (its database and keys) is
    /// a tmpfs of `megabytes`: a small disk the test can fill through `/proc/PID/root`. As root
    /// (CI) with `unshare --mount`; otherwise in a user namespace too.
    public func startOnSmallDisk(megabytes: Int) async throws {
        let variable = workspace.file("var")
        try FileManager.default.createDirectory(atPath: variable, withIntermediateDirectories: true)
        let script = "mount -t tmpfs -o size=\(megabytes)m tmpfs '\(variable)' && exec '\(Repository.binary("relayd"))' --config '\(configPath)'"
        process = try Subprocess.start("/usr/bin/unshare", Self.namespaceFlags + ["--propagation", "private", "/bin/sh", "-c", script],
                                       logFile: logPath, directory: workspace.path)
        try await waitUntilReady()
    }

    static var namespaceFlags: [String] { getuid() == 0 ? ["--mount"] : ["--user", "--map-root-user", "--mount"] }

    /// A path as the daemon sees it (inside its mount namespace).
    public func pathInDaemon(_ path: String) -> String { "/proc/\(process!.processIdentifier)/root\(path)" }

    /// Runs a command in the daemon's mount namespace (e.g. `relayctl` on its small disk).
    public func inDaemonNamespace(_ executable: String, _ arguments: [String]) async throws -> Subprocess.Result {
        let pid = String(process!.processIdentifier)
        let flags = getuid() == 0 ? ["-t", pid, "-m"] : ["-t", pid, "-U", "-m", "--preserve-credentials"]
        return try await Subprocess.run("/usr/bin/nsenter", flags + ["--wd=\(workspace.path)", executable] + arguments, directory: workspace.path)
    }

    private func waitUntilReady() async throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let ready = try await Subprocess.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(opsPort)/readyz"])
            if ready.stdout == "200" { return }
            if process?.isRunning == false { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CommandFailure(command: "relayd", status: process?.isRunning == false ? process!.terminationStatus : -1,
                             output: (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
    }

    /// Sends `signal` and waits for the process to end.
    public func stop(signal: Int32 = SIGTERM) async throws {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, signal)
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// Runs the built `relay` CLI in the workspace.
    public func relay(_ arguments: [String]) async throws -> Subprocess.Result {
        try await Subprocess.run(Repository.binary("relay"), arguments, directory: workspace.path)
    }

    /// Runs the built `relayctl` in the workspace with this daemon's configuration.
    public func relayctl(_ arguments: [String]) async throws -> Subprocess.Result {
        try await Subprocess.run(Repository.binary("relayctl"), arguments + ["--config", configPath], directory: workspace.path)
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A free loopback TCP port, found by binding port 0.
public enum FreePort {
    public static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CommandFailure(command: "socket", status: errno, output: "") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw CommandFailure(command: "bind", status: errno, output: "") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
