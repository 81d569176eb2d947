import Crypto
import Foundation
import RelayPKI
import X509

/// Certificates minted at test time (never checked in: checked-in test certificates expire).
/// Writes PEM files into a directory: `ca.pem`, `server.pem`/`server.key`, and per client
/// `<name>.pem`/`<name>.key`.
public struct TestPKI: Sendable {
    public let directory: String
    public let ca: CertificateAuthority

    public init(directory: String) throws {
        self.directory = directory
        self.ca = try CertificateAuthority.makeRoot(name: "ReportRelay test CA")
        try write(ca.issued, name: "ca")
        try write(try ca.issue(commonName: "localhost", usage: .server(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])), name: "server")
    }

    public var caFile: String { "\(directory)/ca.pem" }
    public var serverCertificate: String { "\(directory)/server.pem" }
    public var serverKey: String { "\(directory)/server.key" }
    public func certificate(_ name: String) -> String { "\(directory)/\(name).pem" }
    public func key(_ name: String) -> String { "\(directory)/\(name).key" }

    /// A client certificate with subject CN `commonName`, saved as `name`.
    @discardableResult
    public func issueClient(_ commonName: String, name: String? = nil, notBefore: Date = Date().addingTimeInterval(-3600),
                            notAfter: Date = Date().addingTimeInterval(86_400)) throws -> IssuedCertificate {
        let issued = try ca.issue(commonName: commonName, usage: .client, notBefore: notBefore, notAfter: notAfter)
        try write(issued, name: name ?? commonName)
        return issued
    }

    /// A client certificate from a different, untrusted CA.
    public func issueFromOtherCA(_ commonName: String, name: String) throws {
        let other = try CertificateAuthority.makeRoot(name: "Some other CA")
        try write(try other.issue(commonName: commonName, usage: .client), name: name)
    }

    func write(_ issued: IssuedCertificate, name: String) throws {
        try (try issued.certificatePEM + "\n").write(toFile: certificate(name), atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: key(name), contents: Data(issued.privateKeyPEM.utf8), attributes: [.posixPermissions: 0o600])
    }
}
