import Crypto
import Foundation
import RelayConfig
import RelayCore
import RelayPKI
import X509

/// The development PKI (`relayctl pki init`, and `relayd` on first run when `dev_pki.enabled`):
/// a CA, a server certificate for localhost and 127.0.0.1, a client certificate and a `relay`
/// profile per principal, and an HPKE key pair per intake and centre that names a key file. Only missing files are created.
/// Everything lands in one directory that is git-ignored; none of it is for production.
public enum DevPKI {
    /// Creates whatever is missing; returns the paths written.
    @discardableResult
    public static func ensure(configuration: RelayConfiguration, directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var written: [String] = []
        let caPath = "\(directory)/ca.pem", caKeyPath = "\(directory)/ca.key"
        let ca: CertificateAuthority
        if FileManager.default.fileExists(atPath: caPath) && FileManager.default.fileExists(atPath: caKeyPath) {
            ca = try loadCA(certificate: caPath, key: caKeyPath)
        } else {
            ca = try CertificateAuthority.makeRoot(name: "ReportRelay development CA")
            try writePair(ca.issued, certificate: caPath, key: caKeyPath)
            written += [caPath, caKeyPath]
        }
        if !FileManager.default.fileExists(atPath: configuration.tls.certificate) {
            let names = ["localhost"] + (configuration.devPKI?.serverNames ?? [])
            let server = try ca.issue(commonName: "localhost", usage: .server(dnsNames: names, ipAddresses: ["127.0.0.1", "::1"]))
            try writePair(server, certificate: configuration.tls.certificate, key: configuration.tls.privateKey)
            written += [configuration.tls.certificate, configuration.tls.privateKey]
        }
        for principal in configuration.principals {
            let certificate = "\(directory)/\(principal.id).pem", key = "\(directory)/\(principal.id).key"
            if !FileManager.default.fileExists(atPath: certificate) {
                try writePair(try ca.issue(commonName: principal.id, usage: .client), certificate: certificate, key: key)
                written += [certificate, key]
            }
            var hpkeKey: String?
            if let publicFile = principal.hpkePublicKeyFile {
                let privateFile = publicFile.hasSuffix(".pub") ? String(publicFile.dropLast(4)) + ".key" : publicFile + ".key"
                hpkeKey = privateFile
                if !FileManager.default.fileExists(atPath: publicFile) {
                    let pair = Curve25519.KeyAgreement.PrivateKey()
                    try SecretFile.write(Base64URL.encode(pair.rawRepresentation), to: privateFile)
                    try (Base64URL.encode(pair.publicKey.rawRepresentation) + "\n").write(toFile: publicFile, atomically: true, encoding: .utf8)
                    written += [privateFile, publicFile]
                }
            }
            let profile = "\(directory)/\(principal.id).profile.json"
            if !FileManager.default.fileExists(atPath: profile) {
                var members: [String: JSONValue] = [
                    "server": .string("https://localhost:\(configuration.listen.port)"), "cert": .string(certificate),
                    "key": .string(key), "ca": .string(caPath), "state": .string("var/clients/\(principal.id)"),
                ]
                // An intake opens deliveries with its key; a centre opens case update messages with its own.
                if let hpkeKey { members[principal.role == .centre ? "centre_key" : "intake_key"] = .string(hpkeKey) }
                try JSONValue.object(members).canonicalString.write(toFile: profile, atomically: true, encoding: .utf8)
                written.append(profile)
            }
        }
        return written
    }

    static func loadCA(certificate: String, key: String) throws -> CertificateAuthority {
        let certificatePEM = try String(contentsOfFile: certificate, encoding: .utf8)
        let keyPEM = try String(contentsOfFile: key, encoding: .utf8)
        return CertificateAuthority(issued: IssuedCertificate(
            certificate: try Certificate(pemEncoded: certificatePEM), privateKey: try P256.Signing.PrivateKey(pemRepresentation: keyPEM)))
    }

    static func writePair(_ issued: IssuedCertificate, certificate: String, key: String) throws {
        for path in [certificate, key] {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        try SecretFile.write(issued.privateKeyPEM, to: key)
        try (try issued.certificatePEM + "\n").write(toFile: certificate, atomically: true, encoding: .utf8)
    }
}
