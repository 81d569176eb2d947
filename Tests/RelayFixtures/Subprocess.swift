import Foundation

/// Runs external programs (the built binaries, `curl`, `openssl`, `python3`, `sqlite3`) for
/// interop, crash and end-to-end tests. Output goes through files, so a chatty child never blocks.
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        /// This result, or an error carrying the output when the command failed.
        @discardableResult
        public func checked(_ what: String) throws -> Result {
            guard status == 0 else { throw CommandFailure(command: what, status: status, output: stdout + stderr) }
            return self
        }
    }

    /// Runs `executable` (a path, or a name looked up on PATH) to completion. Waiting happens in
    /// the termination handler, never on a Swift concurrency thread: a blocked cooperative
    /// thread would starve an in-process relay that the child is talking to.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil,
                           directory: String? = nil) async throws -> Result {
        let process = try makeProcess(executable, arguments, environment: environment, directory: directory)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("subprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            let inURL = scratch.appendingPathComponent("in")
            try stdin.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// Starts a long-running child whose output goes to `logFile`.
    public static func start(_ executable: String, _ arguments: [String], logFile: String, environment: [String: String]? = nil,
                             directory: String? = nil) throws -> Process {
        let process = try makeProcess(executable, arguments, environment: environment, directory: directory)
        FileManager.default.createFile(atPath: logFile, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func makeProcess(_ executable: String, _ arguments: [String], environment: [String: String]?, directory: String?) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(executable))
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        return process
    }

    /// The full path of a program: as given if it contains a slash, else the first match on PATH.
    public static func resolve(_ name: String) throws -> String {
        if name.contains("/") { return name }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw SubprocessError.notFound(name)
    }
}

/// A command exited non-zero.
public struct CommandFailure: Error, CustomStringConvertible {
    public var command: String
    public var status: Int32
    public var output: String
    public var description: String { "\(command) exited \(status): \(output)" }

    public init(command: String, status: Int32, output: String) {
        self.command = command
        self.status = status
        self.output = output
    }
}

public enum SubprocessError: Error, CustomStringConvertible {
    case notFound(String)
    public var description: String {
        switch self {
        case .notFound(let name): return "\(name) is not on PATH; .ci/run installs it"
        }
    }
}

/// Paths inside the repository, found from this file's location.
public enum Repository {
    /// The repository root.
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A built executable (`relayd`, `relay`, `relayctl`) in the debug build folder; `RELAY_BIN_DIR` overrides.
    public static func binary(_ name: String) -> String {
        let directory = ProcessInfo.processInfo.environment["RELAY_BIN_DIR"] ?? "\(root)/.build/debug"
        return "\(directory)/\(name)"
    }

    /// A Python interop script in `Tests/Interop`.
    public static func interopScript(_ name: String) -> String { "\(root)/Tests/Interop/\(name)" }
}

/// A temporary directory removed when the test that made it no longer needs it.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "relay-test") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { "\(path)/\(name)" }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
