import Foundation

/// The independent Python peers (`cryptography`, `rfc8785`) used by interop tests.
public enum Python {
    /// Runs a script from `Tests/Interop`; throws with its stderr when it fails.
    public static func run(_ script: String, _ arguments: [String], stdin: Data? = nil) async throws -> String {
        let result = try await Subprocess.run("python3", [Repository.interopScript(script)] + arguments, stdin: stdin)
        guard result.status == 0 else { throw PythonError(script: script, status: result.status, stderr: result.stderr, stdout: result.stdout) }
        return result.stdout
    }
}

public struct PythonError: Error, CustomStringConvertible {
    public var script: String
    public var status: Int32
    public var stderr: String
    public var stdout: String
    public var description: String { "\(script) exited \(status): \(stderr) \(stdout)" }
}
