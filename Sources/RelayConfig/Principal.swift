import Crypto
import Foundation
import RelayCore

/// Who may call the API, matched by the certificate's subject CN (the principal id) and, when
/// configured, a SHA-256 pin of its SubjectPublicKeyInfo.
public struct Principal: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case centre, intake, auditor
    }

    public var id: String
    public var role: Role
    public var name: String
    /// Communities a centre serves (centres only).
    public var communities: [String]
    /// The HPKE (X25519) public key: an intake's for deliveries, a centre's (optional) for the
    /// messages of case updates.
    public var hpkePublicKey: Curve25519.KeyAgreement.PublicKey?
    /// Where the public key is read from, when not given inline.
    public var hpkePublicKeyFile: String?
    /// Boroughs or police force areas routed to this intake.
    public var areas: [String]
    /// SHA-256 of the certificate's SubjectPublicKeyInfo, if pinned.
    public var spkiSHA256: [UInt8]?
    public var enabled: Bool
    /// This principal's own request rate, overriding its role's (`limits.rate`).
    public var rate: TokenBucket.Rate?

    public static func == (lhs: Principal, rhs: Principal) -> Bool {
        lhs.id == rhs.id && lhs.role == rhs.role && lhs.name == rhs.name && lhs.communities == rhs.communities
            && lhs.hpkePublicKey?.rawRepresentation == rhs.hpkePublicKey?.rawRepresentation && lhs.areas == rhs.areas
            && lhs.spkiSHA256 == rhs.spkiSHA256 && lhs.enabled == rhs.enabled && lhs.rate == rhs.rate
    }
}

/// The configured principals, with routing of reports to intakes.
public struct PrincipalDirectory: Sendable {
    private let byID: [String: Principal]
    private let routes: [String: String]
    private let defaultIntake: String?

    public init(principals: [Principal], defaultIntake: String?) {
        self.byID = Dictionary(principals.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var routes: [String: String] = [:]
        for principal in principals where principal.role == .intake && principal.enabled {
            for area in principal.areas { routes[area.lowercased()] = principal.id }
        }
        self.routes = routes
        self.defaultIntake = defaultIntake
    }

    /// The enabled principal with this id whose pin (if any) matches.
    public func principal(commonName: String, spkiSHA256: [UInt8]) -> Principal? {
        guard let principal = byID[commonName], principal.enabled else { return nil }
        if let pin = principal.spkiSHA256, pin != spkiSHA256 { return nil }
        return principal
    }

    /// Every configured principal, enabled or not, in id order.
    public var principals: [Principal] { byID.values.sorted { $0.id < $1.id } }

    /// A principal by id, enabled or not.
    public func principal(id: String) -> Principal? { byID[id] }

    /// The intake a report goes to: the one whose areas name its borough or force area, else the default.
    public func intake(borough: String?, policeForceArea: String?) -> Principal? {
        for area in [borough, policeForceArea].compactMap({ $0?.lowercased() }) {
            if let id = routes[area], let intake = byID[id] { return intake }
        }
        return defaultIntake.flatMap { byID[$0] }.flatMap { $0.enabled ? $0 : nil }
    }
}
