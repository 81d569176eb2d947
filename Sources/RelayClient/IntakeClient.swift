import Crypto
import Foundation
import NIOHTTP1
import RelayAPI
import RelayCore

/// What a police intake does: lease items, open them with its own private key, ack or nack.
public struct IntakeClient: Sendable {
    public let api: RelayAPIClient
    public let privateKey: Curve25519.KeyAgreement.PrivateKey

    public init(api: RelayAPIClient, privateKeyFile: String) throws {
        self.api = api
        self.privateKey = try readX25519PrivateKey(privateKeyFile, role: "intake", option: "--intake-key or RELAY_INTAKE_KEY")
    }

    /// One leased item, opened.
    public struct OpenedItem: Sendable {
        public var deliveryID: String
        public var reportID: String
        public var kind: String
        public var leaseToken: String
        public var leaseExpiresAt: String
        public var attempts: Int
        public var risk: String
        /// The decrypted police view or consent update.
        public var view: JSONValue

        /// The file the CLI writes: lease facts plus the view.
        public var jsonValue: JSONValue {
            ["delivery_id": .string(deliveryID), "report_id": .string(reportID), "kind": .string(kind), "lease_token": .string(leaseToken),
             "lease_expires_at": .string(leaseExpiresAt), "attempts": .integer(attempts), "risk": .string(risk), "view": view]
        }
    }

    /// Leases up to `max` items and opens each.
    public func lease(max: Int, leaseSeconds: Int?) async throws -> [OpenedItem] {
        let page = try await api.call(.POST, "/v1/intake/lease", sending: V1.LeaseRequest(max: max, leaseSeconds: leaseSeconds),
                                      as: V1.LeasePage.self).answer
        return try page.items.map { item in
            let deliveryID = item.deliveryID
            let envelope: Envelope
            do {
                envelope = try item.sealed()
            } catch {
                throw ClientError.verification("item \(deliveryID): \(error)")
            }
            let plaintext: Data
            do {
                plaintext = try envelope.open(with: [privateKey], purpose: .delivery, reportID: item.reportID)
            } catch {
                throw ClientError.verification("item \(deliveryID) does not open with this intake's key (\(error)); check --intake-key matches the public key the relay holds")
            }
            guard let view = try? JSONParser.parse(Array(plaintext)) else {
                throw ClientError.verification("item \(deliveryID) opened but is not JSON")
            }
            return OpenedItem(
                deliveryID: deliveryID, reportID: item.reportID.lowercasedString, kind: item.kind.rawValue, leaseToken: item.leaseToken,
                leaseExpiresAt: item.leaseExpiresAt, attempts: item.attempts, risk: item.risk.rawValue, view: view)
        }
    }

}

extension RelayAPIClient {
    /// Acknowledges leased items; returns the relay's per-item results.
    public func ack(_ acks: [V1.Ack]) async throws -> [V1.AckResults.Result] {
        try await call(.POST, "/v1/intake/ack", sending: V1.AckRequest(acks: acks), as: V1.AckResults.self).answer.results
    }

    /// Hands a leased item back, at once or after `retryAfter` seconds.
    public func nack(deliveryID: String, leaseToken: String, retryAfter: Int?) async throws {
        _ = try await call(.POST, "/v1/intake/nack", sending: V1.NackRequest(deliveryID: deliveryID, leaseToken: leaseToken,
                                                                            retryAfterSeconds: retryAfter, reason: nil), as: V1.NackResult.self)
    }
}
