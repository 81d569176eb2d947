import Foundation
import Hummingbird
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
        return .json([
            "report_id": .string(id.lowercasedString), "status": .string(outcome.status.rawValue),
            "consent_level": .string(consent.level.rawValue), "effect": .string(outcome.plan.effect),
        ])
    }

    /// The receipt's own audit entry and its inclusion proof in a signed checkpoint that covers it.
    func proof(_ context: Context) async throws -> Response {
        guard let id = context.parameters.get("receipt_id").flatMap(UUID.init(canonical:)),
              let proof = try await services.database.receiptProof(
                centreID: context.principal.id, receiptID: id.lowercasedString, origin: services.configuration.checkpointOrigin,
                key: services.keys.signingKey, now: services.now()) else {
            throw Problem.notFound
        }
        return .json([
            "checkpoint": .string(proof.checkpoint.note), "entry": proof.entry.jsonValue, "leaf_index": .integer(proof.entry.index),
            "tree_size": .integer(proof.checkpoint.size), "hashes": .array(proof.hashes.map { .string(Base64URL.encode($0)) }),
        ])
    }

    func submit(_ request: Request, _ context: Context) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: services.configuration.limits.maxBodyBytes, budget: services.bodyBudget).value
        let submission = try Self.submitRequest(body)
        let outcome = try await services.application.submit(submission, centre: context.principal)
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
        case .created(let body): return .json(body, status: .created)
        case .duplicate(let body): return .json(body, status: .ok)
        case .conflict:
            return Problem(RelayError.reportIDInUse).response
        }
    }

    func status(_ context: Context) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(UUID.init(canonical:)),
              let record = try await services.database.reportStatus(reportID: id, centreID: context.principal.id) else {
            throw Problem.notFound
        }
        return .json(record.jsonValue)
    }

    func list(_ request: Request, _ context: Context) async throws -> Response {
        var query = FieldReader(query: request)
        let status = query.oneOf("status", ReportStatus.self)
        let after = query.cursor("after")
        let limit = query.int("limit", range: 1...1000, default: 100) ?? 100
        try query.finish()
        let records = try await services.database.reports(centreID: context.principal.id, status: status, after: after, limit: limit)
        let next: JSONValue = records.count == limit ? .string(String(records.last!.seq)) : .null
        return .json(["reports": .array(records.map(\.jsonValue)), "next": next])
    }

    func receipts(_ request: Request, _ context: Context) async throws -> Response {
        var query = FieldReader(query: request)
        let after = query.cursor("after") ?? 0
        let limit = query.int("limit", range: 1...1000, default: 100) ?? 100
        try query.finish()
        let rows = try await services.database.receipts(centreID: context.principal.id, after: after, limit: limit)
        // `next` is always the position to continue from, so a client can poll with it.
        let next = rows.last.map { String($0.seq) } ?? String(after)
        return .json(["receipts": .array(rows.map(\.receipt)), "next": .string(next)])
    }
}
