import Foundation
import NIOConcurrencyHelpers
import NIOSSL
import RelayConfig
import RelayCore
import RelayPKI
import SwiftASN1
import X509

/// Client certificates the relay refuses although they chain to a trusted CA: serial numbers
/// listed in the configuration (`revoked_serials`, any issuer) and those on the CRLs of
/// `tls.crl_file` (each CRL signed by a certificate of the client CA bundle, and applying to
/// certificates of its issuer only).
public struct Revocations: Sendable {
    public var serials: Set<String>
    /// Keyed by ``issuerKey(_:)``: names compared as BoringSSL compares them when it builds the
    /// chain (string type, case and runs of spaces ignored), not byte for byte.
    public var byIssuer: [String: Set<String>]
    /// Each CRL's issuer (as text) and when its next update is due.
    public var nextUpdates: [(issuer: String, due: Date?)]

    public init(serials: Set<String> = [], lists: [RevocationList] = []) {
        self.serials = serials
        var byIssuer: [String: Set<String>] = [:]
        for list in lists { byIssuer[Self.issuerKey(list.issuer), default: []].formUnion(list.serials) }
        self.byIssuer = byIssuer
        self.nextUpdates = lists.map { (String(describing: $0.issuer), $0.nextUpdate) }
    }

    /// Why a certificate is refused (`revoked_serial` or `crl`), or `nil`.
    /// `issuerKey` is ``issuerKey(_:)`` of the certificate's issuer, worked out once per certificate.
    public func reason(serial: String, issuerKey: String) -> String? {
        if serials.contains(serial) { return "revoked_serial" }
        if byIssuer[issuerKey]?.contains(serial) == true { return "crl" }
        return nil
    }

    /// A name as text, lower-cased, with runs of white space collapsed: a PrintableString and a
    /// UTF8String of the same name, or names differing only in case, are the same issuer.
    public static func issuerKey(_ name: DistinguishedName) -> String {
        String(describing: name).lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// CRLs past their `nextUpdate` (still enforced; the operator should fetch fresh ones).
    public func stale(now: Date) -> [String] {
        nextUpdates.compactMap { entry in entry.due.map { $0 < now } == true ? entry.issuer : nil }
    }
}

/// What the API listener's handshakes use: the TLS context (server certificate and key, client
/// CA bundle, suites) and the revocations. Built whole from a configuration, so that a reload
/// either replaces all of it or nothing.
public struct TLSMaterial: Sendable {
    public let context: NIOSSLContext
    public let revocations: Revocations

    public init(_ configuration: RelayConfiguration) throws {
        context = try NIOSSLContext(configuration: TLSSetup.serverConfiguration(configuration.tls))
        revocations = Revocations(serials: configuration.revokedSerials, lists: try TLSSetup.revocationLists(configuration.tls))
    }
}

/// The current TLS material, replaced on reload; new connections take the current one, and
/// established connections keep theirs (their requests are checked against the current
/// revocations by `PrincipalMiddleware`).
public final class TLSState: Sendable {
    private let current: NIOLockedValueBox<TLSMaterial>

    public init(_ material: TLSMaterial) { current = NIOLockedValueBox(material) }

    public var material: TLSMaterial { current.withLockedValue { $0 } }

    public func replace(with material: TLSMaterial) { current.withLockedValue { $0 = material } }
}

/// The API listener's TLS: TLS 1.2 or newer, a client certificate required and verified against
/// the configured client CA bundle only (never the system store).
public enum TLSSetup {
    public static func serverConfiguration(_ files: RelayConfiguration.TLSFiles) throws -> TLSConfiguration {
        try SecretFile.checkPermissions(files.privateKey, key: "tls.private_key")
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        let clientCAs: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw ConfigurationError(key: "tls.certificate", problem: "cannot read a PEM certificate chain from \(files.certificate)", fix: "point it at the server certificate (PEM)")
        }
        do {
            key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
        } catch {
            throw ConfigurationError(key: "tls.private_key", problem: "cannot read a PEM private key from \(files.privateKey)", fix: "point it at the server key (PEM, unencrypted)")
        }
        do {
            clientCAs = try NIOSSLCertificate.fromPEMFile(files.clientCA)
        } catch {
            throw ConfigurationError(key: "tls.client_ca", problem: "cannot read PEM certificates from \(files.clientCA)", fix: "point it at the client CA bundle (PEM)")
        }
        guard !chain.isEmpty, !clientCAs.isEmpty else {
            throw ConfigurationError(key: chain.isEmpty ? "tls.certificate" : "tls.client_ca", problem: "the file holds no certificate", fix: "check the file")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        // TLS 1.2: ECDHE with AEAD only (no CBC, no SHA-1 MACs, no static RSA). NIOSSL does not
        // expose BoringSSL's server-preference option; with only these suites on offer, any
        // client choice is one of them.
        tls.cipherSuites = files.cipherSuites
        // `.fullVerification` on a server checks the client's certificate against its IP address
        // and refuses every client; NIOSSL's server default is `.none` (SWIFT-NOTES.md).
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates(clientCAs)
        tls.sendCANameList = true
        return tls
    }

    /// The CRLs of `tls.crl_file`, each checked against the client CA bundle.
    public static func revocationLists(_ files: RelayConfiguration.TLSFiles) throws -> [RevocationList] {
        guard let path = files.crlFile else { return [] }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(key: "tls.crl_file", problem: "cannot read \(path)", fix: "point it at a PEM file of CRLs from the client CAs")
        }
        let lists: [RevocationList]
        do {
            lists = try RevocationList.parseAll(pem: text)
        } catch {
            throw ConfigurationError(key: "tls.crl_file", problem: "\(path) holds no readable X509 CRL", fix: "give PEM CRLs (-----BEGIN X509 CRL-----), e.g. from `openssl ca -gencrl`")
        }
        let authorities = (try? PEMDocument.parseMultiple(pemString: String(contentsOfFile: files.clientCA, encoding: .utf8)))?
            .compactMap { try? Certificate(derEncoded: $0.derBytes) } ?? []
        for (index, list) in lists.enumerated() where !authorities.contains(where: list.isSigned(by:)) {
            throw ConfigurationError(key: "tls.crl_file", problem: "CRL \(index + 1) in \(path) is not signed by any certificate in tls.client_ca",
                                     fix: "use the CRL published by the CA that issued the client certificates")
        }
        return lists
    }
}
