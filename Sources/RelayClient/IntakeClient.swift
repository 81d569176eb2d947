import Crypto
import Foundation
import NIOHTTP1
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
        var request: [String: JSONValue] = ["max": .integer(max)]
        if let leaseSeconds { request["lease_seconds"] = .integer(leaseSeconds) }
        let body = try await api.call(.POST, "/v1/intake/lease", body: .object(request)).body
        return try (body["items"]?.arrayValue ?? []).map { item in
            guard let deliveryID = item["delivery_id"]?.stringValue, let reportText = item["report_id"]?.stringValue,
                  let reportID = UUID(canonical: reportText), let envelopeJSON = item["envelope"] else {
                throw ClientError.verification("the relay sent a lease item without delivery_id, report_id or envelope")
            }
            let envelope = try Envelope(json: envelopeJSON, pointer: "/envelope")
            let plaintext: Data
            do {
                plaintext = try envelope.open(with: [privateKey], purpose: .delivery, reportID: reportID)
            } catch {
                throw ClientError.verification("item \(deliveryID) does not open with this intake's key (\(error)); check --intake-key matches the public key the relay holds")
            }
            guard let view = try? JSONParser.parse(Array(plaintext)) else {
                throw ClientError.verification("item \(deliveryID) opened but is not JSON")
            }
            return OpenedItem(
                deliveryID: deliveryID, reportID: reportText, kind: item["kind"]?.stringValue ?? "report",
                leaseToken: item["lease_token"]?.stringValue ?? "", leaseExpiresAt: item["lease_expires_at"]?.stringValue ?? "",
                attempts: Int(item["attempts"]?.numberValue ?? 0), risk: item["risk"]?.stringValue ?? "standard", view: view)
        }
    }

}

extension RelayAPIClient {
    /// Acknowledges leased items; returns the relay's per-item results.
    public func ack(_ acks: [(deliveryID: String, leaseToken: String, policeReference: String?)]) async throws -> [JSONValue] {
        let body: JSONValue = ["acks": .array(acks.map { ack in
            var members: [String: JSONValue] = ["delivery_id": .string(ack.deliveryID), "lease_token": .string(ack.leaseToken)]
            if let reference = ack.policeReference { members["police_reference"] = .string(reference) }
            return .object(members)
        })]
        return try await call(.POST, "/v1/intake/ack", body: body).body["results"]?.arrayValue ?? []
    }

    /// Hands a leased item back, at once or after `retryAfter` seconds.
    public func nack(deliveryID: String, leaseToken: String, retryAfter: Int?) async throws {
        var body: [String: JSONValue] = ["delivery_id": .string(deliveryID), "lease_token": .string(leaseToken)]
        if let retryAfter { body["retry_after_seconds"] = .integer(retryAfter) }
        _ = try await call(.POST, "/v1/intake/nack", body: .object(body))
    }
}
