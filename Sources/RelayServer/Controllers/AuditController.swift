import Foundation
import Hummingbird
import RelayAPI
import RelayCore
import RelayStore

/// The auditor's endpoints (API.md "Auditor"). Every read is itself an audit entry.
struct AuditController {
    typealias Context = RoleContext<AuditorRole>
    let services: RelayServices

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("audit/checkpoint") { request, context in try await self.checkpoint(request, context) }
        group.get("audit/entries") { request, context in try await self.entries(request, context) }
        group.get("audit/proof/inclusion") { request, context in try await self.inclusion(request, context) }
        group.get("audit/proof/consistency") { request, context in try await self.consistency(request, context) }
        group.get("audit/reports/:id") { request, context in try await self.report(request, context) }
        group.get("deliveries") { request, context in try await self.deliveries(request, context) }
        group.get("stats") { request, context in try await self.stats(request, context) }
    }

    /// Records the read: which endpoint and which (non-personal) parameters.
    func recordRead(_ request: Request, _ context: Context, reportID: String? = nil) async throws {
        var query: [String: JSONValue] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = .string(String(value).prefix(64).description) }
        try await services.database.record(AuditActor(id: context.principal.id, role: .auditor).event(
            .auditorRead, reportID: reportID, details: ["path": .string(request.uri.path), "query": .object(query)]), at: services.now())
    }

    func checkpoint(_ request: Request, _ context: Context) async throws -> Response {
        try await recordRead(request, context)
        let checkpoint = try await services.database.checkpoint(origin: services.configuration.checkpointOrigin,
                                                                key: services.keys.signingKey, now: services.now())
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: checkpoint.note)))
    }

    func entries(_ request: Request, _ context: Context) async throws -> Response {
        var query = FieldReader(query: request)
        let start = query.int("start", range: 0...Int.max, default: nil)
        let end = query.int("end", range: 1...Int.max, default: nil)
        if let start, let end, end <= start || end - start > 1000 {
            query.violations.append(FieldViolation(pointer: "/end", detail: "must be greater than start and at most start + 1000"))
        }
        try query.finish()
        try await recordRead(request, context)
        let entries = try await services.database.auditEntries(start: start!, end: end!)
        return .api(V1.AuditEntries(entries: entries.map(\.jsonValue)))
    }

    func inclusion(_ request: Request, _ context: Context) async throws -> Response {
        var query = FieldReader(query: request)
        let index = query.int("index", range: 0...Int.max, default: nil)
        let size = query.int("tree_size", range: 1...Int.max, default: nil)
        try query.finish()
        guard index! < size!, size! <= (try await services.database.auditSize()) else {
            throw Problem.validation([FieldViolation(pointer: "/tree_size", detail: "must be greater than index and at most the log's size")])
        }
        try await recordRead(request, context)
        let hashes = try await services.database.inclusionProof(index: index!, size: size!)
        return .api(V1.InclusionProof(leafIndex: index!, treeSize: size!, hashes: hashes.map(Array.init)))
    }

    func consistency(_ request: Request, _ context: Context) async throws -> Response {
        var query = FieldReader(query: request)
        let from = query.int("from", range: 1...Int.max, default: nil)
        let to = query.int("to", range: 1...Int.max, default: nil)
        try query.finish()
        guard from! <= to!, to! <= (try await services.database.auditSize()) else {
            throw Problem.validation([FieldViolation(pointer: "/to", detail: "must be at least from and at most the log's size")])
        }
        try await recordRead(request, context)
        let hashes = try await services.database.consistencyProof(from: from!, to: to!)
        return .api(V1.ConsistencyProof(from: from!, to: to!, hashes: hashes.map(Array.init)))
    }

    func report(_ request: Request, _ context: Context) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(UUID.init(canonical:)) else { throw Problem.notFound }
        let history = try await services.database.auditHistory(reportID: id.lowercasedString)
        guard !history.isEmpty else { throw Problem.notFound }
        try await recordRead(request, context, reportID: id.lowercasedString)
        let consent = history.filter { $0.action == "consent" }
        let delivery = history.filter { $0.action != "consent" }
        return .api(V1.AuditHistory(reportID: id.lowercasedString, consentHistory: consent.map(\.jsonValue), deliveryHistory: delivery.map(\.jsonValue)))
    }

    func deliveries(_ request: Request, _ context: Context) async throws -> Response {
        var query = FieldReader(query: request)
        let state = query.oneOf("state", DeliveryState.self) ?? .deadLetter
        let after = query.int("after", range: 0...Int.max, default: 0)
        let limit = query.int("limit", range: 1...1000, default: 100)
        try query.finish()
        try await recordRead(request, context)
        let records = try await services.database.deliveries(state: state, after: Int64(after!), limit: limit!)
        return .api(V1.DeliveryPage(deliveries: records.map(\.item), next: records.count == limit! ? String(records.last!.seq) : nil))
    }

    /// Counts with small-number suppression (``StatsCube``), over months that have ended.
    func stats(_ request: Request, _ context: Context) async throws -> Response {
        var fields = FieldReader(query: request)
        let from = fields.string("from", required: false, maxLength: 40)
        let to = fields.string("to", required: false, maxLength: 40)
        let by = fields.string("by", required: false, maxLength: 300)
        for key in Set(request.uri.queryParameters.map { String($0.key) }).sorted() where !["from", "to", "by"].contains(key) {
            fields.violations.append(FieldViolation(pointer: "/\(key)", detail: "unknown parameter"))
        }
        let query: StatsQuery?
        do {
            query = try StatsQuery.parse(from: from, to: to, by: by, now: services.now())
        } catch {
            query = nil
            fields.violations += error.violations.filter { violation in !fields.violations.contains { $0.pointer == violation.pointer } }
        }
        try fields.finish()
        guard let query else { throw Problem.validation(fields.violations) }
        try await recordRead(request, context)
        let facts = try await services.database.statsFacts(from: query.from, to: query.to)
        return .api(V1.Stats(query: query, facts: facts))
    }
}
