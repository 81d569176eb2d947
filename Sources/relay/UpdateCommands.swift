import ArgumentParser
import Foundation
import RelayClient
import RelayCore

struct Update: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a case update on a report this intake received back to the centre that sent it (intakes).",
        discussion: """
            STATUS is one of \(CaseUpdateStatus.allCases.map(\.rawValue).joined(separator: ", ")); `outcome` needs --outcome, \
            the Home Office outcome type (1-22). A message (--message-file) is sealed to the centre's own key: the relay \
            cannot read it. Keep the printed update id: sending the same update again with --update-id is safe.
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Report id.") var id: String
    @Option(help: "The case's status.") var status: String
    @Option(help: "Home Office outcome type, 1-22 (with --status outcome).") var outcome: Int?
    @Option(help: "Your words for the outcome (optional).") var outcomeLabel: String?
    @Option(help: "File with a message for the caseworker (UTF-8 text; no victim identity).") var messageFile: String?
    @Option(help: "Officer or case reference to put in the message.") var officerReference: String?
    @Option(help: "Date (YYYY-MM-DD) by which police will be in touch again, put in the message.") var nextContactBy: String?
    @Option(help: "When this happened (RFC 3339; default now).") var occurredAt: String?
    @Option(help: "The update's id, to resend an update safely (default: a new one).") var updateId: String?

    func run() async throws {
        try await runReporting {
            guard let reportID = UUID(canonical: id.lowercased()) else { throw ClientError.usage("\(id) is not a report id (a UUID)") }
            guard let status = CaseUpdateStatus(rawValue: status) else {
                throw ClientError.usage("--status must be one of \(CaseUpdateStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var policeOutcome: PoliceOutcome?
            if let outcome {
                guard status == .outcome, let value = PoliceOutcome(code: outcome, label: outcomeLabel) else {
                    throw ClientError.usage("--outcome is a Home Office outcome type from 1 to 22, given with --status outcome")
                }
                policeOutcome = value
            } else if status == .outcome {
                throw ClientError.usage("--status outcome needs --outcome (the Home Office outcome type, 1-22)")
            }
            let updateID = try updateId.map { text in
                guard let id = UUID(canonical: text.lowercased()) else { throw ClientError.usage("--update-id must be a UUID") }
                return id
            } ?? UUID()
            let occurred = try occurredAt.map { text in
                guard let date = RFC3339.parse(text) else { throw ClientError.usage("--occurred-at must be RFC 3339, e.g. 2026-12-01T10:00:00Z") }
                return date
            } ?? Date()
            var message: String?
            if let messageFile {
                guard let data = FileManager.default.contents(atPath: messageFile), let text = String(data: data, encoding: .utf8),
                      !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw ClientError.usage("cannot read a UTF-8 message from \(messageFile)")
                }
                message = text
            } else if officerReference != nil || nextContactBy != nil {
                throw ClientError.usage("--officer-reference and --next-contact-by travel in the sealed message: give --message-file too")
            }
            if let nextContactBy, RFC3339.parseDate(nextContactBy) == nil {
                throw ClientError.usage("--next-contact-by must be a date such as 2026-12-24")
            }
            let profile = try connection.resolve()
            try await withAPI(profile) { api in
                let keys = try await api.keys()
                let draft = CaseUpdateDraft(reportID: reportID, updateID: updateID, status: status, outcome: policeOutcome, occurredAt: occurred,
                                            message: message, officerReference: officerReference, nextContactBy: nextContactBy)
                let (_, receipt, created) = try await api.postUpdate(draft, keys: keys)
                let receiptID = receipt.receipt["receipt_id"]?.stringValue ?? "?"
                print("update \(updateID.lowercasedString) on report \(reportID.lowercasedString): \(created ? "accepted" : "already accepted"), \(status.rawValue)\(message == nil ? "" : ", message sealed to the centre"); receipt \(receiptID) signature ok")
            }
        }
    }
}

struct Updates: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read new case updates from police (centres): verifies each receipt, decrypts each message, then marks them seen.",
        discussion: "Marking an update seen gives the intake a signed receipt that the centre has it. The cursor is kept in the state directory.")
    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Show every update again, not only new ones.") var all = false
    @Flag(help: "Do not mark the updates seen (and do not move the cursor).") var noAck = false
    @Flag(help: "Print JSON lines instead of text.") var json = false

    func run() async throws {
        try await runReporting {
            let profile = try connection.resolve()
            try await withAPI(profile) { api in
                let keys = try await api.keys()
                let reader = try CentreUpdates(api: api, stateDirectory: profile.stateDirectory, privateKeyFile: profile.centreKey)
                let (updates, next) = try await reader.fetch(keys: keys, fromStart: all)
                for update in updates { json ? printJSON(Self.json(update)) : print(Self.text(update)) }
                if !noAck, !updates.isEmpty { _ = try await reader.acknowledge(updates, next: next) }
                if !json { print("\(updates.count) update(s)\(noAck || updates.isEmpty ? "" : ", marked seen")") }
            }
        }
    }

    static func text(_ update: CentreUpdates.Opened) -> String {
        var lines = ["report \(update.reportID)\(update.centreReference.map { " (\($0))" } ?? "")",
                     "  status:   \(update.status.words) [\(update.status.rawValue)]"]
        if let outcome = update.outcome {
            lines.append("  outcome:  \(outcome.code) — \(outcome.words)\(outcome.label.map { " (police: \($0))" } ?? "")")
        }
        lines.append("  when:     \(update.occurredAt) (received \(update.receivedAt))")
        if let message = update.message {
            if let reference = message.officerReference { lines.append("  officer:  \(reference)") }
            if let date = message.nextContactBy { lines.append("  next contact by: \(date)") }
            lines.append("  message:  " + message.message.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n            "))
        } else if let problem = update.messageProblem {
            lines.append("  message:  (not readable: \(problem))")
        }
        lines.append("  update \(update.updateID), receipt signature ok")
        return lines.joined(separator: "\n")
    }

    static func json(_ update: CentreUpdates.Opened) -> JSONValue {
        var members: [String: JSONValue] = [
            "update_id": .string(update.updateID), "report_id": .string(update.reportID), "status": .string(update.status.rawValue),
            "occurred_at": .string(update.occurredAt), "received_at": .string(update.receivedAt),
        ]
        if let reference = update.centreReference { members["centre_reference"] = .string(reference) }
        if let outcome = update.outcome { members["outcome"] = ["code": .integer(outcome.code), "words": .string(outcome.words)] }
        if let message = update.message { members["message"] = message.jsonValue }
        if let problem = update.messageProblem { members["message_problem"] = .string(problem) }
        return .object(members)
    }
}
