import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import RelayAPI
import RelayCore

/// An HTTPS client of the relay API with mutual TLS, over AsyncHTTPClient.
public final class RelayAPIClient: Sendable {
    let http: HTTPClient
    let base: String

    /// Connects with the profile's client certificate, trusting only its CA bundle.
    public init(profile: ClientProfile) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(profile.certificate).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: profile.privateKey, format: .pem))
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(profile.caBundle))
        } catch {
            throw ClientError.usage("cannot load the client certificate, key or CA bundle (\(profile.certificate), \(profile.privateKey), \(profile.caBundle)): check the paths and that they are PEM")
        }
        tls.minimumTLSVersion = .tlsv12
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        // AsyncHTTPClient keeps retrying a refused connection until the connect timeout, so this bounds
        // how long a caseworker waits before the report is kept in the spool.
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.base = profile.server.hasSuffix("/") ? String(profile.server.dropLast()) : profile.server
    }

    /// Closes connections.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// A raw response: status and parsed JSON body (`.null` if none or not JSON).
    public struct RawResponse: Sendable {
        public var status: Int
        public var body: JSONValue
        /// The response's Content-Type header.
        public var contentType: String = ""
        /// The body as text, for non-JSON responses (the checkpoint note).
        public var text: String = ""
        /// The `Retry-After` header (429, 503), if any.
        public var retryAfter: String?

        public init(status: Int, body: JSONValue, contentType: String = "", text: String = "", retryAfter: String? = nil) {
            self.status = status
            self.body = body
            self.contentType = contentType
            self.text = text
            self.retryAfter = retryAfter
        }
    }

    /// Sends a request; network failures become ``ClientError/unreachable(_:)``.
    public func send(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> RawResponse {
        try await send(method, path, bytes: body?.canonicalBytes)
    }

    /// Sends a request with a body already written as JSON.
    func send(_ method: HTTPMethod, _ path: String, bytes: [UInt8]?) async throws -> RawResponse {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let bytes {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        do {
            let response = try await http.execute(request, timeout: .seconds(60))
            let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
            let json = (try? JSONParser.parse(Array(bytes.readableBytesView))) ?? .null
            return RawResponse(status: Int(response.status.code), body: json, contentType: response.headers.first(name: "Content-Type") ?? "",
                               text: String(decoding: bytes.readableBytesView, as: UTF8.self), retryAfter: response.headers.first(name: "Retry-After"))
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError.unreachable("could not reach the relay at \(base) (\(Self.describe(error))); check the server address, the network, and that the certificate is valid and not revoked")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let ssl = error as? NIOSSLError { return "TLS: \(ssl)" }
        return String(describing: type(of: error))
    }

    /// Sends a v1 request body and reads a v1 response body, requiring a 2xx; a body not shaped as
    /// the contract says is a ``ClientError/verification(_:)`` naming the member.
    public func call<Answer: WireReadable>(_ method: HTTPMethod, _ path: String, sending body: (any WireWritable)? = nil,
                                           as _: Answer.Type) async throws -> (answer: Answer, status: Int) {
        let response = try Self.required(try await send(method, path, bytes: body?.object.bytes))
        return (try Self.read(Answer.self, from: response.body), response.status)
    }

    /// Reads a v1 body; a shape the contract does not give is a ``ClientError/verification(_:)``.
    public static func read<Answer: WireReadable>(_: Answer.Type, from json: JSONValue) throws -> Answer {
        do {
            return try Answer(json: json)
        } catch {
            throw ClientError.verification("\(error)")
        }
    }

    /// Sends and requires a 2xx; 4xx become ``ClientError/rejected(status:problem:)``, 5xx ``ClientError/unreachable(_:)``.
    public func call(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> RawResponse {
        try Self.required(try await send(method, path, body: body))
    }

    /// The response when it is a 2xx; otherwise the error ``call(_:_:body:)`` describes.
    static func required(_ response: RawResponse) throws -> RawResponse {
        switch response.status {
        case 200..<300: return response
        case 500...: throw ClientError.unreachable("the relay is unavailable (\(response.status)): \(response.body["detail"]?.stringValue ?? "retry later")")
        default: throw ClientError.rejected(status: response.status, problem: response.body)
        }
    }

    /// The relay's published keys.
    public func keys() async throws -> PublishedKeys {
        try await call(.GET, "/v1/keys", as: V1.Keys.self).answer
    }
}

/// `GET /v1/keys`, parsed.
public typealias PublishedKeys = V1.Keys
