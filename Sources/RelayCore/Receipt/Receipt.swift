import Crypto
import Foundation

/// The kinds of signed receipt (FORMATS.md "Signed receipt").
public enum ReceiptType: String, Sendable, Codable, CaseIterable {
    case accepted
    case delivered
    case consentUpdateDelivered = "consent_update_delivered"
    case deadLetter = "dead_letter"
    /// The relay accepted an intake's case update (for the intake).
    case updateAccepted = "update_accepted"
    /// The centre acknowledged a case update (for the intake).
    case updateSeen = "update_seen"
}

/// The signed statement about one report event. Optional fields are omitted, never null.
public struct Receipt: Sendable, Equatable {
    public var type: ReceiptType
    public var receiptID: UUID
    public var reportID: UUID
    public var centreID: String
    public var intakeID: String?
    public var at: Date
    public var payloadSHA256: String
    public var policeReference: String?
    public var auditIndex: Int?
    /// Update receipts only: the case update and its status.
    public var updateID: UUID?
    public var status: String?

    public init(type: ReceiptType, receiptID: UUID, reportID: UUID, centreID: String, intakeID: String?, at: Date,
                payloadSHA256: String, policeReference: String? = nil, auditIndex: Int? = nil, updateID: UUID? = nil, status: String? = nil) {
        self.type = type
        self.receiptID = receiptID
        self.reportID = reportID
        self.centreID = centreID
        self.intakeID = intakeID
        self.at = at
        self.payloadSHA256 = payloadSHA256
        self.policeReference = policeReference
        self.auditIndex = auditIndex
        self.updateID = updateID
        self.status = status
    }

    /// The `receipt` object whose JCS bytes are signed.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "v": 1, "type": .string(type.rawValue), "receipt_id": .string(receiptID.lowercasedString),
            "report_id": .string(reportID.lowercasedString), "centre_id": .string(centreID),
            "at": .string(RFC3339.format(at)), "payload_sha256": .string(payloadSHA256),
        ]
        if let intakeID { members["intake_id"] = .string(intakeID) }
        if let policeReference { members["police_reference"] = .string(policeReference) }
        if let auditIndex { members["audit_index"] = .integer(auditIndex) }
        if let updateID { members["update_id"] = .string(updateID.lowercasedString) }
        if let status { members["status"] = .string(status) }
        return .object(members)
    }
}

/// A receipt with its Ed25519 signature over the receipt's JCS bytes.
public struct SignedReceipt: Sendable, Equatable {
    /// The receipt object exactly as signed.
    public var receipt: JSONValue
    public var keyID: String
    public var signature: Data

    /// `{"receipt": ..., "signature": {"alg","key_id","sig"}}`.
    public var jsonValue: JSONValue {
        [
            "receipt": receipt,
            "signature": ["alg": "Ed25519", "key_id": .string(keyID), "sig": .string(Base64URL.encode(signature))],
        ]
    }

    /// Reads a signed receipt from JSON; `nil` when its shape is wrong.
    public init?(json: JSONValue) {
        guard let receipt = json["receipt"], receipt.objectValue != nil,
              let signature = json["signature"], signature["alg"]?.stringValue == "Ed25519",
              let keyID = signature["key_id"]?.stringValue,
              let sig = signature["sig"]?.stringValue.flatMap(Base64URL.decode) else { return nil }
        self.receipt = receipt
        self.keyID = keyID
        self.signature = sig
    }

    public init(receipt: JSONValue, keyID: String, signature: Data) {
        self.receipt = receipt
        self.keyID = keyID
        self.signature = signature
    }

    /// Signs a receipt.
    public static func sign(_ receipt: Receipt, with key: Curve25519.Signing.PrivateKey) throws -> SignedReceipt {
        let body = receipt.jsonValue
        let signature = try key.signature(for: body.canonicalData)
        return SignedReceipt(receipt: body, keyID: EnvelopeKeyID.of(key.publicKey), signature: signature)
    }

    /// Whether the signature verifies under one of `keys` (matched by key id).
    public func verify(with keys: [Curve25519.Signing.PublicKey]) -> Bool {
        guard let key = keys.first(where: { EnvelopeKeyID.of($0) == keyID }) else { return false }
        return key.isValidSignature(signature, for: receipt.canonicalData)
    }
}
