import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate with its P-256 private key, both as PEM.
public struct IssuedCertificate: Sendable {
    public var certificate: Certificate
    public var privateKey: P256.Signing.PrivateKey

    /// The certificate as PEM.
    public var certificatePEM: String {
        get throws { try certificate.serializeAsPEM().pemString }
    }

    /// The private key as PKCS#8 PEM.
    public var privateKeyPEM: String { privateKey.pemRepresentation }

    public init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.privateKey = privateKey
    }
}

/// What a leaf certificate is for.
public enum CertificateUsage: Sendable {
    /// A TLS server, valid for these DNS names and IP addresses.
    case server(dnsNames: [String], ipAddresses: [String])
    /// A TLS client (a principal); the subject CN is the principal id.
    case client
}

/// Issues certificates in-process with swift-certificates, for the dev PKI (`relayctl pki init`)
/// and for tests. Production deployments bring their own PKI (DESIGN.md).
public struct CertificateAuthority: Sendable {
    public let issued: IssuedCertificate

    /// A new self-signed root CA.
    public static func makeRoot(name: String, notBefore: Date = Date().addingTimeInterval(-3600),
                                notAfter: Date = Date().addingTimeInterval(5 * 365 * 86_400)) throws -> CertificateAuthority {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("ReportRelay development")
            CommonName(name)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: .init(key))
        return CertificateAuthority(issued: IssuedCertificate(certificate: certificate, privateKey: key))
    }

    /// Wraps an existing CA certificate and key.
    public init(issued: IssuedCertificate) { self.issued = issued }

    /// Issues a leaf certificate signed by this CA.
    public func issue(commonName: String, usage: CertificateUsage, notBefore: Date = Date().addingTimeInterval(-3600),
                      notAfter: Date = Date().addingTimeInterval(2 * 365 * 86_400)) throws -> IssuedCertificate {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("ReportRelay development")
            CommonName(commonName)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
            AuthorityKeyIdentifier(keyIdentifier: try issued.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            switch usage {
            case .server(let dnsNames, let ipAddresses):
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(dnsNames.map { GeneralName.dnsName($0) } + ipAddresses.compactMap(Self.ipAddressName))
            case .client:
                try ExtendedKeyUsage([.clientAuth])
            }
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: issued.certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
            issuerPrivateKey: .init(issued.privateKey))
        return IssuedCertificate(certificate: certificate, privateKey: key)
    }

    /// An IPv4 or IPv6 literal as a SAN entry.
    static func ipAddressName(_ text: String) -> GeneralName? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v4) { ArraySlice($0) }))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v6) { ArraySlice($0) }))
        }
        return nil
    }
}

extension SubjectKeyIdentifier {
    /// The RFC 5280 method-1 identifier: SHA-1 of the subject public key bits (here SHA-256, truncated).
    init(hash publicKey: Certificate.PublicKey) {
        let digest = SHA256.hash(data: Data(publicKey.subjectPublicKeyInfoBytes))
        self.init(keyIdentifier: ArraySlice(digest.prefix(20)))
    }
}

extension Certificate.PublicKey {
    /// The DER bytes of the SubjectPublicKeyInfo.
    var subjectPublicKeyInfoBytes: [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.serialize(self)
        return serializer.serializedBytes
    }
}
