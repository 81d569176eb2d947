import Foundation
import Hummingbird
import RelayAPI
import RelayApplication
import RelayCore
import RelayStore

/// The centre's endpoints: submit, status, listing and receipts. A centre sees only its own
/// reports; another centre's report answers `404` so that existence does not leak.
struct CentreController {
    typealias Context = RoleContext<CentreRole>
    let services: RelayServices

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("reports") { request, context in try await self.submit(request, context) }
        group.get("reports/:id") { _, context in try await self.status(context) }
        group.get("reports") { request, context in try await self.list(request, context) }
        group.get("receipts") { request, context in try await self.receipts(request, context) }
        group.get("receipts/:receipt_id/proof") { _, context in try await self.proof(context) }
        group.put("reports/:id/consent") { request, context in try await self.changeConsent(request, context) }
        group.get("updates") { request, context in try await self.updates(request, context) }
        group.post("updates/ack") { request, context in try await self.ackUpdates(request, context) }
    }

    /// Varies or withdraws the victim's consent (DESIGN.md "Consent can change after submission").
    func changeConsent(_ request: Request, _ context: Context) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(UUID.init(canonical:)) else { throw Problem.notFound }
        var request = request
        let body = try await request.jsonBody(limit: services.configuration.limits.maxBodyBytes, budget: services.bodyBudget).value
        let reader = FieldReader(body, allowed: ["consent"])
        try reader.finish()
        guard let consentJSON = body["consent"] else { throw Problem.validation([FieldViolation(pointer: "/consent", detail: "is required")]) }
        let consent: Consent
        do {
            consent = try ReportValidator().validateConsent(consentJSON, now: services.now())
        } catch {
            throw Problem.validation(error.violations)
        }
        let outcome = try await services.application.changeConsent(reportID: id, centre: context.principal, to: consent)
        context.logger.info("consent changed", metadata: ["relay.report_id": "\(id.lowercasedString)", "relay.effect": "\(outcome.plan.effect)"])
        return .api(V1.ConsentChange(reportID: id, status: outcome.status, consentLevel: consent.level, effect: outcome.plan.effect))
    }

    /// The receipt's own audit entry and its inclusion proof in a signed checkpoint that covers it.
    func proof(_ context: Context) async throws -> Response {
        guard let id = context.parameters.get("receipt_id").flatMap(UUID.init(canonical:)),
              let proof = try await services.database.receiptProof(
                centreID: context.principal.id, receiptID: id.lowercasedString, origin: services.configuration.checkpointOrigin,
                key: services.keys.signingKey, now: services.now()) else {
            throw Problem.notFound
        }
        return .api(V1.ReceiptProof(checkpoint: proof.checkpoint.note, entry: proof.entry.jsonValue, leafIndex: proof.entry.index,
                                    treeSize: proof.checkpoint.size, hashes: proof.hashes.map(Array.init)))
    }

    func submit(_ request: Request, _ context: Context) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: services.configuration.limits.maxBodyBytes, budget: services.bodyBudget).value
        let submission = try Self.submitRequest(body)
        let started = ContinuousClock.now
        let outcome = try await services.application.submit(submission, centre: context.principal)
        services.metrics.submitted(after: ContinuousClock.now - started)
        if case .created = outcome {
            context.logger.info("report accepted", metadata: ["relay.report_id": "\(submission.reportID.lowercasedString)"])
        }
        return Self.response(for: outcome)
    }

    /// Reads `{"report_id", "envelope"}`.
    static func submitRequest(_ body: JSONValue) throws -> SubmitRequest {
        var reader = FieldReader(body, allowed: ["report_id", "envelope"])
        let reportID = reader.uuid("report_id")
        var envelope: Envelope?
        if let value = body["envelope"] {
            do {
                envelope = try Envelope(json: value, pointer: "/envelope")
            } catch {
                reader.violations += error.violations
            }
        } else {
            reader.violations.append(FieldViolation(pointer: "/envelope", detail: "is required"))
        }
        try reader.finish()
        return SubmitRequest(reportID: reportID!, envelope: envelope!)
    }

    static func response(for outcome: SubmitOutcome) -> Response {
        switch outcome {
        case .created(let acceptance): return .api(acceptance, status: .created)
        case .duplicate(let acceptance): return .api(acceptance, status: .ok)
        case .conflict:
            return Problem(RelayError.reportIDInUse).response
        }
    }

    func status(_ context: Context) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(UUID.init(canonical:)),
              let record = try await services.database.reportStatus(reportID: id, centreID: context.principal.id) else {
            throw Problem.notFound
        }
        return .api(try record.body())
    }

    func list(_ request: Request, _ context: Context) async throws -> Response {
        var query = FieldReader(query: request)
        let status = query.oneOf("status", ReportStatus.self)
        let after = query.cursor("after")
        let limit = query.int("limit", range: 1...1000, default: 100) ?? 100
        try query.finish()
        let records = try await services.database.reports(centreID: context.principal.id, status: status, after: after, limit: limit)
        return .api(V1.ReportPage(reports: try records.map { try $0.body() }, next: records.count == limit ? String(records.last!.seq) : nil))
    }

    func receipts(_ request: Request, _ context: Context) async throws -> Response {
        try await ReceiptPage.respond(request) { after, limit in
            try await services.database.receipts(centreID: context.principal.id, after: after, limit: limit)
        }
    }

    /// The centre's case updates in arrival order; messages and receipts go out as stored.
    func updates(_ request: Request, _ context: Context) async throws -> Response {
        var query = FieldReader(query: request)
        let after = query.cursor("after") ?? 0
        let limit = query.int("limit", range: 1...1000, default: 100) ?? 100
        try query.finish()
        let records = try await services.database.updates(centreID: context.principal.id, after: after, limit: limit)
        let updates = try records.map { record in
            V1.CaseUpdate(updateID: try .stored(record.updateID, column: "update_id"), reportID: try .stored(record.reportID, column: "report_id"),
                          centreReference: record.centreReference, status: record.status, outcome: record.outcome,
                          occurredAt: RFC3339.format(record.occurredAt), receivedAt: RFC3339.format(record.receivedAt, milliseconds: true),
                          message: record.message, receipt: record.receipt)
        }
        // `next` is always the position to continue from, so a client can poll with it.
        return .api(V1.UpdatePage(updates: updates, next: String(records.last?.seq ?? after)))
    }

    /// The caseworker has seen these updates: each gets an `update_seen` receipt for the intake.
    func ackUpdates(_ request: Request, _ context: Context) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: services.configuration.limits.maxBodyBytes, budget: services.bodyBudget).value
        var reader = FieldReader(body, allowed: ["update_ids"])
        let ids = reader.uuids("update_ids", maxCount: 100)
        try reader.finish()
        let results = try await services.application.ackUpdates(centreID: context.principal.id, updateIDs: ids)
        return .api(V1.UpdateAckResults(results: results.map { V1.UpdateAckResults.Result(updateID: $0.updateID, seen: $0.seen, receipt: $0.receipt) }))
    }
}

/// One page of signed receipts: `{"receipts": [...], "next"}` where `next` is always the
/// position to continue (or poll) from, unchanged when nothing came back.
enum ReceiptPage {
    static func respond(_ request: Request, _ fetch: (Int64, Int) async throws -> [(seq: Int64, receipt: JSONValue)]) async throws -> Response {
        var query = FieldReader(query: request)
        let after = query.cursor("after") ?? 0
        let limit = query.int("limit", range: 1...1000, default: 100) ?? 100
        try query.finish()
        let rows = try await fetch(after, limit)
        return .api(V1.ReceiptPage(receipts: rows.map(\.receipt), next: String(rows.last?.seq ?? after)))
    }
}
