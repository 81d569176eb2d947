import Foundation
import Hummingbird
import RelayAPI
import RelayApplication
import RelayCore
import RelayStore

/// The police intake's endpoints: lease, ack, nack, extend. An intake sees only its own queue.
struct IntakeController {
    typealias Context = RoleContext<IntakeRole>
    let services: RelayServices

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("lease") { request, context in try await self.lease(request, context) }
        group.post("ack") { request, context in try await self.ack(request, context) }
        group.post("nack") { request, context in try await self.nack(request, context) }
        group.post("extend") { request, context in try await self.extend(request, context) }
        group.post("reports/:id/updates") { request, context in try await self.postUpdate(request, context) }
        group.get("reports/:id/update-key") { _, context in try await self.updateKey(context) }
        group.get("receipts") { request, context in try await self.receipts(request, context) }
    }

    private var limit: Int { services.configuration.limits.maxBodyBytes }

    func lease(_ request: Request, _ context: Context) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: limit, budget: services.bodyBudget).value
        var reader = FieldReader(body, allowed: ["max", "lease_seconds"])
        let max = reader.int("max", range: 1...100, default: 10)
        let seconds = reader.int("lease_seconds", range: 5...services.configuration.queue.maxLeaseSeconds,
                                 default: services.configuration.queue.defaultLeaseSeconds)
        try reader.finish()
        let items = try await services.application.lease(intakeID: context.principal.id, max: max!, duration: TimeInterval(seconds!))
        services.metrics.leased(intake: context.principal.id, items: items.count)
        // Each sealed body goes out as stored: no parse, no re-serialisation.
        return .api(V1.LeasePage(items: try items.map { item in
            V1.LeasedItem(deliveryID: item.deliveryID, reportID: try .stored(item.reportID, column: "report_id"), kind: item.kind, leaseToken: item.leaseToken,
                          leaseExpiresAt: RFC3339.format(item.leaseExpiresAt, milliseconds: true), attempts: item.attempts, risk: item.risk,
                          envelope: item.envelope)
        }))
    }

    func ack(_ request: Request, _ context: Context) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: limit, budget: services.bodyBudget).value
        var reader = FieldReader(body, allowed: ["acks"])
        var acks: [AckRequest] = []
        if let elements = body["acks"]?.arrayValue, (1...100).contains(elements.count) {
            for (index, element) in elements.enumerated() {
                var item = FieldReader(element, allowed: ["delivery_id", "lease_token", "police_reference"])
                let id = item.uuid("delivery_id")
                let token = item.string("lease_token", required: true, maxLength: 200)
                let reference = item.string("police_reference", required: false, maxLength: 100)
                reader.violations += item.violations.map { FieldViolation(pointer: "/acks/\(index)\($0.pointer)", detail: $0.detail) }
                if let id, let token { acks.append(AckRequest(deliveryID: id.lowercasedString, leaseToken: token, policeReference: reference)) }
            }
        } else {
            reader.violations.append(FieldViolation(pointer: "/acks", detail: "must be an array of 1 to 100 acks"))
        }
        try reader.finish()
        let results = try await services.application.ack(intakeID: context.principal.id, acks)
        for result in results { services.metrics.acked(intake: context.principal.id, result: result.outcome.rawValue) }
        return .api(V1.AckResults(results: results.map { V1.AckResults.Result(deliveryID: $0.deliveryID, outcome: $0.outcome, receipt: $0.receipt) }))
    }

    func nack(_ request: Request, _ context: Context) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: limit, budget: services.bodyBudget).value
        var reader = FieldReader(body, allowed: ["delivery_id", "lease_token", "retry_after_seconds", "reason"])
        let id = reader.uuid("delivery_id")
        let token = reader.string("lease_token", required: true, maxLength: 200)
        let retryAfter = reader.int("retry_after_seconds", range: 0...86_400, default: 0)
        // The reason is the intake's own words: accepted but never stored or logged, as it may quote the report.
        _ = reader.string("reason", required: false, maxLength: 1000)
        try reader.finish()
        try await services.application.nack(intakeID: context.principal.id, deliveryID: id!.lowercasedString, leaseToken: token!,
                                            retryAfter: TimeInterval(retryAfter!))
        return .api(V1.NackResult(deliveryID: id!.lowercasedString))
    }

    func extend(_ request: Request, _ context: Context) async throws -> Response {
        var request = request
        let body = try await request.jsonBody(limit: limit, budget: services.bodyBudget).value
        var reader = FieldReader(body, allowed: ["delivery_id", "lease_token", "lease_seconds"])
        let id = reader.uuid("delivery_id")
        let token = reader.string("lease_token", required: true, maxLength: 200)
        let seconds = reader.int("lease_seconds", range: 5...services.configuration.queue.maxLeaseSeconds, default: nil)
        try reader.finish()
        let expires = try await services.application.extend(intakeID: context.principal.id, deliveryID: id!.lowercasedString,
                                                            leaseToken: token!, duration: TimeInterval(seconds!))
        return .api(V1.ExtendResult(leaseExpiresAt: expires))
    }

    /// A case update on a report this intake received (API.md "Updates back to the centre").
    func postUpdate(_ request: Request, _ context: Context) async throws -> Response {
        guard let reportID = context.parameters.get("id").flatMap(UUID.init(canonical:)) else { throw Problem.notFound }
        var request = request
        let body = try await request.jsonBody(limit: limit, budget: services.bodyBudget).value
        var reader = FieldReader(body, allowed: ["update_id", "status", "outcome", "occurred_at", "message"])
        let updateID = reader.uuid("update_id")
        let status = reader.oneOf("status", CaseUpdateStatus.self)
        if body["status"] == nil { reader.violations.append(FieldViolation(pointer: "/status", detail: "is required")) }
        var outcome: PoliceOutcome?
        if let value = reader.value("outcome") {
            do {
                outcome = try PoliceOutcome(json: value, pointer: "/outcome")
            } catch {
                reader.violations += error.violations
            }
        }
        if status == .outcome, body["outcome"] == nil {
            reader.violations.append(FieldViolation(pointer: "/outcome", detail: "is required with status outcome"))
        } else if let status, status != .outcome, body["outcome"] != nil {
            reader.violations.append(FieldViolation(pointer: "/outcome", detail: "is allowed only with status outcome"))
        }
        let occurredAt = reader.timestamp("occurred_at", now: services.now())
        var message: Envelope?
        if let value = reader.value("message") {
            do {
                message = try Envelope(json: value, pointer: "/message")
            } catch {
                reader.violations += error.violations
            }
        }
        try reader.finish()
        let (accepted, created) = try await services.application.postUpdate(CaseUpdateRequest(
            reportID: reportID, updateID: updateID!, status: status!, outcome: outcome, occurredAt: occurredAt!, message: message,
            canonicalBody: body.canonicalBytes), intakeID: context.principal.id)
        if created {
            context.logger.info("case update accepted", metadata: ["relay.report_id": "\(reportID.lowercasedString)", "relay.update_status": "\(status!.rawValue)"])
        }
        return .api(V1.UpdatePosted(updateID: accepted.updateID, reportID: accepted.reportID, receipt: accepted.receipt),
                    status: created ? .created : .ok)
    }

    /// The key to seal an update's message to (beyond the contract: the contract leaves open how
    /// an intake learns the centre's key; the relay, which holds it in its configuration, says).
    func updateKey(_ context: Context) async throws -> Response {
        guard let reportID = context.parameters.get("id").flatMap(UUID.init(canonical:)) else { throw Problem.notFound }
        let key = try await services.application.centreUpdateKey(reportID: reportID, intakeID: context.principal.id)
        return .api(V1.UpdateKey(reportID: reportID.lowercasedString, centreID: key.centreID, suite: Envelope.suiteName,
                                 keyID: EnvelopeKeyID.of(key.publicKey), publicKey: Array(key.publicKey.rawRepresentation)))
    }

    /// This intake's receipts (updates accepted, updates seen by the centre) in log order.
    func receipts(_ request: Request, _ context: Context) async throws -> Response {
        try await ReceiptPage.respond(request) { after, limit in
            try await services.database.intakeReceipts(intakeID: context.principal.id, after: after, limit: limit)
        }
    }
}
