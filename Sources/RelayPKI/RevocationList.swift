import Crypto
import Foundation
import RelayCore
import SwiftASN1
import X509

/// An X.509 certificate revocation list (RFC 5280 §5.1), parsed from DER: who issued it, when,
/// when the next one is due, and the serial numbers it revokes. The signature is checked
/// separately, against the CA certificates the relay trusts (``isSigned(by:)``).
public struct RevocationList: Sendable {
    public var issuer: DistinguishedName
    public var thisUpdate: Date
    public var nextUpdate: Date?
    /// Revoked serial numbers, as ``SerialText`` (lower-case hex without leading zeros).
    public var serials: Set<String>
    /// The signed part (`tbsCertList`), its signature algorithm and signature, for checking.
    let signedBytes: ArraySlice<UInt8>
    let algorithm: ASN1ObjectIdentifier
    let signature: [UInt8]

    /// Every `X509 CRL` block of a PEM file (a file may hold several).
    public static func parseAll(pem text: String) throws -> [RevocationList] {
        let documents = try PEMDocument.parseMultiple(pemString: text).filter { $0.discriminator == "X509 CRL" }
        guard !documents.isEmpty else { throw RevocationListError.noCRL }
        return try documents.map { try RevocationList(derEncoded: $0.derBytes) }
    }

    public init(derEncoded bytes: [UInt8]) throws {
        do {
            let root = try DER.parse(bytes)
            var parts: (ArraySlice<UInt8>, ASN1ObjectIdentifier, [UInt8])?
            var fields: (DistinguishedName, Date, Date?, Set<String>)?
            try DER.sequence(root, identifier: .sequence) { nodes in
                guard let tbs = nodes.next() else { throw RevocationListError.malformed }
                let algorithm = try Self.algorithm(&nodes)
                let signature = try ASN1BitString(derEncoded: &nodes)
                parts = (tbs.encodedBytes, algorithm, Array(signature.bytes))
                fields = try Self.parseTBS(tbs)
            }
            guard let parts, let fields else { throw RevocationListError.malformed }
            (signedBytes, algorithm, signature) = parts
            (issuer, thisUpdate, nextUpdate, serials) = fields
        } catch let error as RevocationListError {
            throw error
        } catch {
            throw RevocationListError.malformed
        }
    }

    /// `TBSCertList ::= SEQUENCE { version OPTIONAL, signature, issuer, thisUpdate, nextUpdate
    /// OPTIONAL, revokedCertificates OPTIONAL, crlExtensions [0] OPTIONAL }`.
    static func parseTBS(_ node: ASN1Node) throws -> (DistinguishedName, Date, Date?, Set<String>) {
        try DER.sequence(node, identifier: .sequence) { nodes in
            var peek = nodes
            if peek.next()?.identifier == .integer { _ = try Int(derEncoded: &nodes) }
            _ = try algorithm(&nodes)
            let issuer = try DistinguishedName(derEncoded: &nodes)
            guard let thisNode = nodes.next(), let thisUpdate = try time(thisNode) else { throw RevocationListError.malformed }
            var nextUpdate: Date?
            var serials = Set<String>()
            while let next = nodes.next() {
                if let date = try time(next) {
                    nextUpdate = date
                } else if next.identifier == .sequence {
                    try DER.sequence(next, identifier: .sequence) { entries in
                        while let entry = entries.next() {
                            try DER.sequence(entry, identifier: .sequence) { fields in
                                serials.insert(SerialText.of(try ArraySlice<UInt8>(derEncoded: &fields)))
                                while fields.next() != nil {}
                            }
                        }
                    }
                }
                // [0] crlExtensions: nothing the relay needs.
            }
            return (issuer, thisUpdate, nextUpdate, serials)
        }
    }

    static func algorithm(_ nodes: inout ASN1NodeCollection.Iterator) throws -> ASN1ObjectIdentifier {
        guard let node = nodes.next() else { throw RevocationListError.malformed }
        return try DER.sequence(node, identifier: .sequence) { inner in
            let oid = try ASN1ObjectIdentifier(derEncoded: &inner)
            while inner.next() != nil {}  // parameters, if any
            return oid
        }
    }

    /// A `Time` (UTCTime or GeneralizedTime), or `nil` if the node is neither.
    static func time(_ node: ASN1Node) throws -> Date? {
        let parts: (Int, Int, Int, Int, Int, Int)
        switch node.identifier {
        case .utcTime:
            let t = try UTCTime(derEncoded: node)
            parts = (t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
        case .generalizedTime:
            let t = try GeneralizedTime(derEncoded: node)
            parts = (t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
        default:
            return nil
        }
        var components = DateComponents(year: parts.0, month: parts.1, day: parts.2, hour: parts.3, minute: parts.4, second: parts.5)
        components.timeZone = TimeZone(identifier: "UTC")
        return Self.calendar.date(from: components)
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Whether `ca` issued this list: the issuer names match and the signature verifies with its key.
    public func isSigned(by ca: Certificate) -> Bool {
        guard ca.subject == issuer, let algorithm = Self.signatureAlgorithms[algorithm] else { return false }
        return ca.publicKey.isValidSignature(signature, for: signedBytes, signatureAlgorithm: algorithm)
    }

    static let signatureAlgorithms: [ASN1ObjectIdentifier: Certificate.SignatureAlgorithm] = [
        [1, 2, 840, 10045, 4, 3, 2]: .ecdsaWithSHA256, [1, 2, 840, 10045, 4, 3, 3]: .ecdsaWithSHA384,
        [1, 2, 840, 10045, 4, 3, 4]: .ecdsaWithSHA512, [1, 2, 840, 113549, 1, 1, 11]: .sha256WithRSAEncryption,
        [1, 2, 840, 113549, 1, 1, 12]: .sha384WithRSAEncryption, [1, 2, 840, 113549, 1, 1, 13]: .sha512WithRSAEncryption,
        [1, 3, 101, 112]: .ed25519,
    ]
}

/// Why a CRL file was refused (no content of it).
public enum RevocationListError: Error, Sendable, Equatable {
    case noCRL
    case malformed
}

extension CertificateAuthority {
    /// A CRL (v2, ECDSA with SHA-256) revoking `serials`, as PEM: for the development PKI
    /// (`relayctl pki revoke`) and tests. Production CRLs come from the forces' own CAs.
    public func revocationList(revoking serials: [Certificate.SerialNumber], thisUpdate: Date = Date(),
                               nextUpdate: Date = Date().addingTimeInterval(7 * 86_400)) throws -> String {
        func utc(_ date: Date) throws -> UTCTime {
            let c = RevocationList.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            return try UTCTime(year: c.year!, month: c.month!, day: c.day!, hours: c.hour!, minutes: c.minute!, seconds: c.second!)
        }
        let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { list in
            try list.serialize(1)  // v2
            try list.appendConstructedNode(identifier: .sequence) { try $0.serialize(ecdsaWithSHA256) }
            try list.serialize(issued.certificate.subject)
            try list.serialize(try utc(thisUpdate))
            try list.serialize(try utc(nextUpdate))
            if !serials.isEmpty {
                try list.appendConstructedNode(identifier: .sequence) { entries in
                    for serial in serials {
                        try entries.appendConstructedNode(identifier: .sequence) { entry in
                            try entry.serialize(serial.bytes)
                            try entry.serialize(try utc(thisUpdate))
                        }
                    }
                }
            }
        }
        let signature = try issued.privateKey.signature(for: tbs.serializedBytes).derRepresentation
        var outer = DER.Serializer()
        try outer.appendConstructedNode(identifier: .sequence) { crl in
            crl.serializeRawBytes(tbs.serializedBytes)
            try crl.appendConstructedNode(identifier: .sequence) { try $0.serialize(ecdsaWithSHA256) }
            try crl.serialize(ASN1BitString(bytes: ArraySlice(signature)))
        }
        return PEMDocument(type: "X509 CRL", derBytes: outer.serializedBytes).pemString
    }
}
