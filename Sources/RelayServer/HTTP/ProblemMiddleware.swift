import Hummingbird
import RelayApplication
import Logging
import RelayStore

/// Turns every error into `application/problem+json`. Errors that are not already problems are
/// logged by type only (never with their message, which could quote data) and answered generically.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Known routes, for 405 rather than 404 when only the method is wrong (nil: always 404).
    var routes: RouteTable?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response
        } catch let error as RelayError {
            return Problem(error).response
        } catch let error as HTTPError where error.status == .notFound {
            // TRACE, or DELETE on a report: the path exists, the method does not.
            if let methods = routes?.methods(for: request.uri.path), !methods.isEmpty {
                var response = Self.problem(for: .methodNotAllowed).response
                response.headers[.allow] = methods.map(\.rawValue).joined(separator: ", ")
                return response
            }
            return Self.problem(for: error.status).response
        } catch let error as HTTPError {
            return Self.problem(for: error.status).response
        } catch let error as StoreError {
            switch error {
            case .staleLease: return Problem.conflict("stale-lease", "The lease token is not the item's current lease.").response
            case .unknownDelivery: return Problem.notFound.response
            case .notDeadLetter: return Problem.conflict("not-dead-letter", "Only dead-lettered items can be requeued.").response
            case .bodyPurged: return Problem.conflict("purged", "The item's sealed body was purged under the retention policy.").response
            case .changedMeanwhile: return Problem(RelayError.changedMeanwhile).response
            case .cannotOpen, .schemaOutdated, .readOnly, .damagedRow: return Problem.unavailable("The store is unavailable; retry later.").response
            }
        } catch let error as AuditError {
            switch error {
            case .outOfRange: return Problem.validation([], detail: "The index or size is outside the log.").response
            case .missingNode: return Problem.unavailable("The audit log is incomplete; tell the operator to run `relayctl audit verify`.").response
            }
        } catch where StoreError.isDatabaseFailure(error) {
            // Nothing was acknowledged: the transaction rolled back whole. The relay recovers by
            // itself once the store can write again (space freed, file system remounted).
            let reason = StoreError.failureReason(error)
            context.logger.error("store error", metadata: ["relay.error": "DatabaseError", "relay.reason": "\(reason)"])
            return Problem.unavailable("The store cannot write (\(reason.replacingOccurrences(of: "_", with: " "))); nothing was stored. Retry later.",
                                       retryAfter: 30).response
        } catch {
            context.logger.error("unhandled error", metadata: ["relay.error": "\(type(of: error))"])
            return Problem(status: .internalServerError, slug: "internal", title: "Internal error",
                           detail: "The relay could not complete the request.").response
        }
    }

    static func problem(for status: HTTPResponse.Status) -> Problem {
        switch status {
        case .notFound: return .notFound
        case .contentTooLarge:
            return Problem(status: .contentTooLarge, slug: "too-large", title: "Body too large", detail: "The request body is over the configured limit.")
        case .methodNotAllowed:
            return Problem(status: .methodNotAllowed, slug: "method-not-allowed", title: "Method not allowed", detail: "This path does not accept this method.")
        default:
            return Problem(status: status, slug: "http-\(status.code)", title: status.reasonPhrase, detail: "The request could not be served.")
        }
    }
}
