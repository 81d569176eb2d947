import Crypto
import Foundation
import NIOHTTP1
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
    public func postUpdate(_ draft: CaseUpdateDraft, keys: PublishedKeys) async throws -> (body: JSONValue, created: Bool) {
        let reportID = draft.reportID.lowercasedString
        var body: [String: JSONValue] = [
            "update_id": .string(draft.updateID.lowercasedString), "status": .string(draft.status.rawValue),
            "occurred_at": .string(RFC3339.format(draft.occurredAt)),
        ]
        if let outcome = draft.outcome { body["outcome"] = outcome.jsonValue }
        if let text = draft.message {
            let keyBody = try await call(.GET, "/v1/intake/reports/\(reportID)/update-key").body
            guard let raw = keyBody["public_key"]?.stringValue.flatMap(Base64URL.decode),
                  let key = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw),
                  keyBody["key_id"]?.stringValue == EnvelopeKeyID.of(key) else {
                throw ClientError.verification("the relay sent a centre key that is not a valid X25519 key with a matching key id")
            }
            let plaintext = CaseUpdateMessage(reportID: draft.reportID, updateID: draft.updateID, status: draft.status, outcome: draft.outcome,
                                              officerReference: draft.officerReference, message: text, nextContactBy: draft.nextContactBy)
            body["message"] = try Envelope.seal(plaintext.jsonValue.canonicalBytes, to: key, purpose: .update, reportID: draft.updateID).jsonValue
        }
        let response = try await call(.POST, "/v1/intake/reports/\(reportID)/updates", body: .object(body))
        guard let receipt = response.body["receipt"].flatMap(SignedReceipt.init(json:)), receipt.verify(with: keys.signingKeys),
              receipt.receipt["update_id"]?.stringValue == draft.updateID.lowercasedString else {
            throw ClientError.verification("the relay's update_accepted receipt does not verify against its published signing keys")
        }
        return (response.body, response.status == 201)
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
            let body = try await api.call(.GET, "/v1/updates?after=\(cursor)&limit=500").body
            let page = body["updates"]?.arrayValue ?? []
            for json in page { opened.append(try open(json, keys: keys)) }
            guard let next = body["next"]?.stringValue, next != cursor, !page.isEmpty else { break }
            cursor = next
        }
        return (opened, cursor)
    }

    func open(_ json: JSONValue, keys: PublishedKeys) throws -> Opened {
        guard let updateID = json["update_id"]?.stringValue, let updateUUID = UUID(canonical: updateID),
              let reportID = json["report_id"]?.stringValue, let status = json["status"]?.stringValue.flatMap(CaseUpdateStatus.init(rawValue:)) else {
            throw ClientError.verification("the relay sent an update without update_id, report_id or a known status")
        }
        guard let receipt = json["receipt"].flatMap(SignedReceipt.init(json:)), receipt.verify(with: keys.signingKeys),
              receipt.receipt["update_id"]?.stringValue == updateID, receipt.receipt["report_id"]?.stringValue == reportID else {
            throw ClientError.verification("update \(updateID): its receipt does not verify against the relay's signing keys")
        }
        var update = Opened(
            updateID: updateID, reportID: reportID, centreReference: json["centre_reference"]?.stringValue, status: status,
            outcome: json["outcome"].flatMap { try? PoliceOutcome(json: $0, pointer: "/outcome") },
            occurredAt: json["occurred_at"]?.stringValue ?? "", receivedAt: json["received_at"]?.stringValue ?? "")
        guard let sealed = json["message"] else { return update }
        guard let privateKey else {
            update.messageProblem = "sealed to the centre's key; give --centre-key to read it"
            return update
        }
        do {
            let envelope = try Envelope(json: sealed, pointer: "/message")
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
    public func acknowledge(_ updates: [Opened], next: String) async throws -> [JSONValue] {
        var results: [JSONValue] = []
        for start in stride(from: 0, to: updates.count, by: 100) {
            let ids = updates[start..<min(start + 100, updates.count)].map { JSONValue.string($0.updateID) }
            results += try await api.call(.POST, "/v1/updates/ack", body: ["update_ids": .array(ids)]).body["results"]?.arrayValue ?? []
        }
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try DurableFile.write(Array((next + "\n").utf8), to: cursorPath, mode: 0o644)
        return results
    }

    var cursorPath: String { "\(stateDirectory)/updates.cursor" }
}
