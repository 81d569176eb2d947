import CoreMetrics
import Foundation
import Hummingbird
import Prometheus
import RelayCore
import RelayStore

/// The relay's metrics (API.md "Operations"), recorded through swift-metrics into a Prometheus
/// registry of this relay's own (not the process-global one, so that several relays in one test
/// process keep theirs apart) and served as Prometheus text at `GET /metrics`.
///
/// Labels hold only route templates, methods, statuses, configured principal ids, states and
/// fixed reasons: never content, a report id or anything a principal typed.
public final class RelayMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = ["relay_submit_duration_seconds": [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]]
        factory.valueHistogramBuckets = ["relay_group_commit_batch_size": [1, 2, 4, 8, 16, 32, 64, 128, 256]]
        self.factory = factory
        // Series with a fixed set of labels exist from the start, at 0, so that rates and alerts
        // over them have data before the first event.
        for reason in Self.handshakeFailureReasons {
            Counter(label: "relay_tls_handshake_failures_total", dimensions: [("reason", reason)], factory: factory).increment(by: 0)
        }
    }

    /// The reasons a refused handshake is counted under (`ConnectionGuardHandler`).
    static let handshakeFailureReasons = ["no_certificate", "certificate_verify_failed", "handshake_failed",
                                          "certificate_revoked_revoked_serial", "certificate_revoked_crl"]

    func request(route: String, method: String, status: Int) {
        Counter(label: "relay_http_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory)
            .increment()
    }

    func submitted(after duration: Duration) {
        Timer(label: "relay_submit_duration_seconds", factory: factory).recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    func leased(intake: String, items: Int) {
        Counter(label: "relay_leased_items_total", dimensions: [("intake", intake)], factory: factory).increment(by: items)
    }

    func acked(intake: String, result: String) {
        Counter(label: "relay_acks_total", dimensions: [("intake", intake), ("result", result)], factory: factory).increment()
    }

    func handshakeFailure(reason: String) {
        Counter(label: "relay_tls_handshake_failures_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// The write-ahead log's length after the last backfill pass, and the pages it had to leave
    /// there (an open read still needed them). The length stays as it is while the relay is idle
    /// (the log starts over at the next write); pages left over pass after pass mean a read held open.
    func walBackfilled(_ progress: RelayDatabase.BackfillProgress) {
        Gauge(label: "relay_store_wal_pages", factory: factory).record(progress.logFrames)
        Gauge(label: "relay_store_wal_pages_not_backfilled", factory: factory).record(progress.logFrames - progress.backfilledFrames)
    }

    func groupCommit(size: Int) {
        Recorder(label: "relay_group_commit_batch_size", aggregate: true, factory: factory).record(size)
    }

    /// Reads what is current from the store (queue depth by intake and state, the oldest queued
    /// item's age, dead letters, the audit tree's size, the newest checkpoint's age, whether a
    /// write can be committed) and returns the whole registry as text.
    func scrape(_ database: RelayDatabase, intakes: [String], now: Date) async throws -> [UInt8] {
        for gauge in try await database.queueGauges(intakes: intakes) {
            for (state, count) in [(DeliveryState.queued, gauge.queued), (.leased, gauge.leased), (.deadLetter, gauge.deadLetters)] {
                Gauge(label: "relay_queue_depth", dimensions: [("intake", gauge.intakeID), ("state", state.rawValue)], factory: factory).record(count)
            }
            Gauge(label: "relay_oldest_queued_age_seconds", dimensions: [("intake", gauge.intakeID)], factory: factory)
                .record(gauge.oldestVisible.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        }
        Gauge(label: "relay_audit_tree_size", factory: factory).record(try await database.auditSize())
        if let checkpoint = try await database.latestCheckpoint() {
            Gauge(label: "relay_checkpoint_age_seconds", factory: factory).record(max(0, now.timeIntervalSince(checkpoint.at)))
        }
        // The same committed probe write as /readyz: 0 when the disk is full or read-only.
        Gauge(label: "relay_store_writable", factory: factory).record(await database.writeProbe(now: now) == nil ? 1 : 0)
        return registry.emitToBuffer()
    }
}

/// Counts every API response by route template, method and status.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: RelayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.request(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: Int(response.status.code))
            return response
        } catch let error as any HTTPResponseError {
            metrics.request(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: Int(error.status.code))
            throw error
        } catch {
            metrics.request(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: 500)
            throw error
        }
    }
}
