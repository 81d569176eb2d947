import Foundation
import NIOHTTP1
import RelayAPI
import RelayCore

/// What a centre does: seal and submit reports through the spool, check status, collect receipts.
public struct CentreClient: Sendable {
    public let api: RelayAPIClient
    public let spool: Spool
    public let stateDirectory: String

    public init(api: RelayAPIClient, stateDirectory: String) {
        self.api = api
        self.spool = Spool(stateDirectory: stateDirectory)
        self.stateDirectory = stateDirectory
    }

    /// The relay's keys: fetched and cached in the state directory, or — when the relay cannot be
    /// reached — the copy cached from an earlier authenticated fetch, so that a centre with a
    /// flaky connection can still seal and spool. `nil` only when neither is available.
    public func keys() async throws -> (keys: PublishedKeys, fresh: Bool)? {
        let cache = "\(stateDirectory)/keys.json"
        do {
            let body = try await api.call(.GET, "/v1/keys").body
            let keys = try RelayAPIClient.read(PublishedKeys.self, from: body)
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try DurableFile.write(body.canonicalBytes, to: cache, mode: 0o644)
            return (keys, true)
        } catch ClientError.unreachable {
            guard let data = FileManager.default.contents(atPath: cache), let json = try? JSONParser.parse(Array(data)),
                  let keys = try? PublishedKeys(json: json) else { return nil }
            return (keys, false)
        }
    }

    /// Validates a report locally and seals it to the relay's current envelope key, into the spool.
    public func prepare(reportBytes: Data, keys: PublishedKeys, reportID: UUID = UUID(), now: Date = Date()) throws -> Spool.Entry {
        do {
            _ = try ReportValidator().validate(bytes: reportBytes, now: now)
        } catch {
            throw ClientError.usage("the report is not valid:\n" + error.violations.map { "  \($0.pointer.isEmpty ? "(document)" : $0.pointer): \($0.detail)" }.joined(separator: "\n"))
        }
        let envelope = try Envelope.seal(reportBytes, to: keys.envelopeKeys[0], purpose: .report, reportID: reportID)
        return try spool.add(reportID: reportID, envelope: envelope)
    }

    /// What became of one send.
    public enum SendOutcome: Sendable {
        case accepted(status: Int, acceptance: V1.Acceptance)
        case rejected(ClientError)
        case unreachable(ClientError)
    }

    /// Sends one spooled submission; on `201`/`200` it leaves the spool, on a final refusal it
    /// moves to `rejected/`, otherwise it stays for `relay flush`.
    public func send(_ entry: Spool.Entry, keys: PublishedKeys) async throws -> SendOutcome {
        let response: RelayAPIClient.RawResponse
        do {
            response = try await api.send(.POST, "/v1/reports", body: entry.body)
        } catch let error as ClientError {
            return .unreachable(error)
        }
        switch response.status {
        case 200, 201:
            guard let acceptance = try? V1.Acceptance(json: response.body), acceptance.reportID == entry.reportID else {
                return .rejected(.verification("the relay's answer is not an acceptance of this report; the report stays spooled — tell the relay operator"))
            }
            guard acceptance.receipt.verify(with: keys.signingKeys) else {
                return .rejected(.verification("the acceptance receipt's signature does not verify; the report stays spooled — tell the relay operator"))
            }
            try spool.remove(entry)
            return .accepted(status: response.status, acceptance: acceptance)
        case 400, 409, 413, 415, 422:
            try spool.reject(entry)
            return .rejected(.rejected(status: response.status, problem: response.body))
        default:
            return .unreachable(.unreachable("the relay answered \(response.status); the report stays spooled for `relay flush`"))
        }
    }

    /// Fetches receipts after the saved cursor, verifies each signature, saves them under
    /// `receipts/` and advances the cursor. Returns the receipts and how many failed to verify.
    public func collectReceipts(keys: PublishedKeys, fromStart: Bool = false) async throws -> (receipts: [SignedReceipt], failures: Int) {
        let cursorPath = "\(stateDirectory)/receipts.cursor"
        var cursor = fromStart ? "0" : (try? String(contentsOfFile: cursorPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0"
        let directory = "\(stateDirectory)/receipts"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var collected: [SignedReceipt] = []
        var failures = 0
        while true {
            let page = try await api.call(.GET, "/v1/receipts?after=\(cursor)&limit=500", as: V1.ReceiptPage.self).answer
            for json in page.receipts {
                guard let receipt = SignedReceipt(json: json) else { failures += 1; continue }
                if !receipt.verify(with: keys.signingKeys) { failures += 1; continue }
                collected.append(receipt)
                if let id = receipt.receipt["receipt_id"]?.stringValue {
                    try DurableFile.write(json.canonicalBytes, to: "\(directory)/\(id).json", mode: 0o644)
                }
            }
            guard page.next != cursor, !page.receipts.isEmpty else { break }
            cursor = page.next
            // The cursor moves only past receipts that verified, so a bad one is fetched again.
            if failures == 0 { try DurableFile.write(Array((cursor + "\n").utf8), to: cursorPath, mode: 0o644) }
        }
        return (collected, failures)
    }
}

extension CentreClient {
    /// Fetches a receipt's audit entry and inclusion proof and checks, offline from here on, that
    /// the checkpoint is signed by the relay, that the entry is this receipt's, and that the entry
    /// is in the signed tree. Returns the checkpoint's tree size.
    public func prove(_ receipt: SignedReceipt, keys: PublishedKeys) async throws -> Int {
        guard let receiptID = receipt.receipt["receipt_id"]?.stringValue, let auditIndex = receipt.receipt["audit_index"]?.numberValue else {
            throw ClientError.verification("the receipt carries no audit_index, so it cannot be proved (issued before the audit log existed)")
        }
        guard let origin = keys.checkpointOrigin else { throw ClientError.verification("the relay publishes no checkpoint origin") }
        let proof = try await api.call(.GET, "/v1/receipts/\(receiptID)/proof", as: V1.ReceiptProof.self).answer
        let (note, entry, leafIndex, treeSize) = (proof.checkpoint, proof.entry, proof.leafIndex, proof.treeSize)
        guard let text = SignedNote.verify(note: note, name: origin, keys: keys.signingKeys),
              let checkpoint = Checkpoint(body: text), checkpoint.origin == origin, checkpoint.size == treeSize else {
            throw ClientError.verification("the checkpoint for receipt \(receiptID) is not signed by the relay's key")
        }
        guard entry["details"]?["receipt_id"]?.stringValue == receiptID, leafIndex == Int(auditIndex) else {
            throw ClientError.verification("the audit entry returned for receipt \(receiptID) is not that receipt's")
        }
        guard MerkleTree.verifyInclusion(leafHash: MerkleTree.leafHash(entry.canonicalBytes), index: leafIndex, size: treeSize,
                                         proof: proof.hashes, root: checkpoint.root) else {
            throw ClientError.verification("receipt \(receiptID) is not in the signed audit log: the inclusion proof fails")
        }
        return treeSize
    }
}
