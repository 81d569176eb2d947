import Foundation

/// `curl` as an independent HTTPS client.
public enum Curl {
    public struct Response: Sendable {
        public var exitCode: Int32
        public var status: Int
        public var contentType: String
        public var body: String
        public var stderr: String
    }

    /// Requests `url`; `clientCertificate` is a (certificate, key) pair or nil for none.
    public static func request(_ url: String, ca: String, clientCertificate: (String, String)?, method: String = "GET",
                               contentType: String? = nil, body: Data? = nil) async throws -> Response {
        var arguments = ["-sS", "--max-time", "20", "--cacert", ca, "-X", method, "-o", "-", "-w", "\n%{http_code} %{content_type}"]
        if let (certificate, key) = clientCertificate { arguments += ["--cert", certificate, "--key", key] }
        if let contentType { arguments += ["-H", "Content-Type: \(contentType)"] }
        if body != nil { arguments += ["--data-binary", "@-"] }
        arguments.append(url)
        let result = try await Subprocess.run("curl", arguments, stdin: body)
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let trailer = lines.popLast() ?? ""
        let parts = trailer.split(separator: " ", maxSplits: 1).map(String.init)
        return Response(exitCode: result.status, status: Int(parts.first ?? "") ?? 0, contentType: parts.count > 1 ? parts[1] : "",
                        body: lines.joined(separator: "\n"), stderr: result.stderr)
    }
}
