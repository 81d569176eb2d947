import Crypto
import Foundation

/// The relay's Ed25519 signing key, used for receipts (and later checkpoints).
public struct ReceiptSigner: Sendable {
    public let key: Curve25519.Signing.PrivateKey

    public init(key: Curve25519.Signing.PrivateKey) { self.key = key }

    /// The key id published at `/v1/keys`.
    public var keyID: String { EnvelopeKeyID.of(key.publicKey) }

    /// Signs a receipt.
    public func sign(_ receipt: Receipt) throws -> SignedReceipt { try SignedReceipt.sign(receipt, with: key) }
}
