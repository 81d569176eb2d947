import Crypto
import Foundation
import NIOHTTP1
import RelayAPI
import RelayCore

/// Reads an X25519 private key file written by `relay keygen` (unpadded base64url of 32 bytes).
func readX25519PrivateKey(_ path: String, role: String, option: String) throws -> Curve25519.KeyAgreement.PrivateKey {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8),
          let raw = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32,
          let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw) else {
        throw ClientError.usage("cannot read the \(role) private key \(path): give the .hpke.key file that `relay keygen` wrote (\(option))")
    }
    return key
}

/// What an intake sends back about a report: a case update, with an optional message sealed
/// to the centre's own key so that the relay cannot read it.
public struct CaseUpdateDraft: Sendable {
    public var reportID: UUID
    public var updateID: UUID
    public var status: CaseUpdateStatus
    public var outcome: PoliceOutcome?
    public var occurredAt: Date
    /// Free text for the caseworker (sealed; never seen by the relay).
    public var message: String?
    public var officerReference: String?
    public var nextContactBy: String?

    public init(reportID: UUID, updateID: UUID = UUID(), status: CaseUpdateStatus, outcome: PoliceOutcome? = nil, occurredAt: Date = Date(),
                message: String? = nil, officerReference: String? = nil, nextContactBy: String? = nil) {
        self.reportID = reportID
        self.updateID = updateID
        self.status = status
        self.outcome = outcome
        self.occurredAt = occurredAt
        self.message = message
        self.officerReference = officerReference
        self.nextContactBy = nextContactBy
    }
}

extension RelayAPIClient {
    /// Posts a case update (intakes). With a message, the centre's key is fetched from the relay
    /// and the message sealed to it. The `update_accepted` receipt is verified against `keys`.
    /// Returns the relay's answer and whether it was new (`201`) rather than a retry (`200`).
    public func postUpdate(_ draft: CaseUpdateDraft, keys: PublishedKeys) async throws -> (posted: V1.UpdatePosted, receipt: SignedReceipt, created: Bool) {
        let reportID = draft.reportID.lowercasedString
        var body = V1.UpdateRequest(updateID: draft.updateID, status: draft.status, outcome: draft.outcome, occurredAt: draft.occurredAt, message: nil)
        if let text = draft.message {
            let published = try await call(.GET, "/v1/intake/reports/\(reportID)/update-key", as: V1.UpdateKey.self).answer
            guard let key = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: published.publicKey), published.keyID == EnvelopeKeyID.of(key) else {
                throw ClientError.verification("the relay sent a centre key that is not a valid X25519 key with a matching key id")
            }
            let plaintext = CaseUpdateMessage(reportID: draft.reportID, updateID: draft.updateID, status: draft.status, outcome: draft.outcome,
                                              officerReference: draft.officerReference, message: text, nextContactBy: draft.nextContactBy)
            body.message = try Envelope.seal(plaintext.jsonValue.canonicalBytes, to: key, purpose: .update, reportID: draft.updateID).jsonValue
        }
        let response = try Self.required(try await send(.POST, "/v1/intake/reports/\(reportID)/updates", bytes: body.object.bytes))
        let posted = try Self.read(V1.UpdatePosted.self, from: response.body)
        guard let receipt = SignedReceipt(json: posted.receipt), receipt.verify(with: keys.signingKeys),
              receipt.receipt["update_id"]?.stringValue == draft.updateID.lowercasedString else {
            throw ClientError.verification("the relay's update_accepted receipt does not verify against its published signing keys")
        }
        return (posted, receipt, response.status == 201)
    }
}

/// A centre reading the case updates police sent back.
public struct CentreUpdates: Sendable {
    public let api: RelayAPIClient
    public let stateDirectory: String
    public let privateKey: Curve25519.KeyAgreement.PrivateKey?

    /// `privateKeyFile` is the centre's `.hpke.key`; without it, messages are reported as unreadable.
    public init(api: RelayAPIClient, stateDirectory: String, privateKeyFile: String?) throws {
        self.api = api
        self.stateDirectory = stateDirectory
        self.privateKey = try privateKeyFile.map { try readX25519PrivateKey($0, role: "centre", option: "--centre-key or RELAY_CENTRE_KEY") }
    }

    /// One update, its receipt verified and its message opened.
    public struct Opened: Sendable {
        public var updateID: String
        public var reportID: String
        public var centreReference: String?
        public var status: CaseUpdateStatus
        public var outcome: PoliceOutcome?
        public var occurredAt: String
        public var receivedAt: String
        /// The decrypted message, if there was one and it opened.
        public var message: CaseUpdateMessage?
        /// Why a message could not be read (no key given, or it did not open or validate).
        public var messageProblem: String?
    }

    /// Fetches updates after the saved cursor (or from the start), verifies each receipt and
    /// opens each message. The cursor is saved by ``acknowledge(_:)`` once they are seen.
    public func fetch(keys: PublishedKeys, fromStart: Bool) async throws -> (updates: [Opened], next: String) {
        var cursor = fromStart ? "0" : (try? String(contentsOfFile: cursorPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0"
        var opened: [Opened] = []
        while true {
            let page = try await api.call(.GET, "/v1/updates?after=\(cursor)&limit=500", as: V1.UpdatePage.self).answer
            for update in page.updates { opened.append(try open(update, keys: keys)) }
            guard page.next != cursor, !page.updates.isEmpty else { break }
            cursor = page.next
        }
        return (opened, cursor)
    }

    func open(_ sent: V1.CaseUpdate, keys: PublishedKeys) throws -> Opened {
        let updateUUID = sent.updateID, updateID = sent.updateID.lowercasedString, reportID = sent.reportID.lowercasedString
        guard let receipt = sent.signedReceipt, receipt.verify(with: keys.signingKeys),
              receipt.receipt["update_id"]?.stringValue == updateID, receipt.receipt["report_id"]?.stringValue == reportID else {
            throw ClientError.verification("update \(updateID): its receipt does not verify against the relay's signing keys")
        }
        var update = Opened(
            updateID: updateID, reportID: reportID, centreReference: sent.centreReference, status: sent.status, outcome: sent.outcome,
            occurredAt: sent.occurredAt, receivedAt: sent.receivedAt)
        guard let sealedText = sent.message else { return update }
        guard let privateKey else {
            update.messageProblem = "sealed to the centre's key; give --centre-key to read it"
            return update
        }
        do {
            let envelope = try Envelope(json: try JSONParser.parse(Array(sealedText.utf8)), pointer: "/message")
            let plaintext = try envelope.open(with: [privateKey], purpose: .update, reportID: updateUUID)
            let message = try CaseUpdateMessage(json: try JSONParser.parse(Array(plaintext)))
            guard message.updateID == updateUUID, message.reportID.lowercasedString == reportID else {
                update.messageProblem = "the message names another report or update"
                return update
            }
            update.message = message
        } catch {
            update.messageProblem = "the message did not open with this centre's key, or is not a case update"
        }
        return update
    }

    /// Tells the relay the caseworker has seen these updates (the intake gets `update_seen`
    /// receipts) and saves the cursor past them.
    public func acknowledge(_ updates: [Opened], next: String) async throws -> [V1.UpdateAckResults.Result] {
        var results: [V1.UpdateAckResults.Result] = []
        for start in stride(from: 0, to: updates.count, by: 100) {
            let ids = updates[start..<min(start + 100, updates.count)].map(\.updateID)
            results += try await api.call(.POST, "/v1/updates/ack", sending: V1.UpdateAckRequest(updateIDs: ids), as: V1.UpdateAckResults.self).answer.results
        }
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try DurableFile.write(Array((next + "\n").utf8), to: cursorPath, mode: 0o644)
        return results
    }

    var cursorPath: String { "\(stateDirectory)/updates.cursor" }
}
