import Hummingbird
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Whether the daemon is shutting down: `/readyz` answers 503 and new API requests get 503 with
/// `Retry-After`, while requests already in flight finish (Hummingbird drains them).
public final class DrainState: Sendable {
    private let draining = NIOLockedValueBox(false)

    public init() {}

    public var isDraining: Bool { draining.withLockedValue { $0 } }

    public func beginDraining() { draining.withLockedValue { $0 = true } }
}

/// Runs the application and flips ``DrainState`` the moment graceful shutdown begins (SIGTERM,
/// SIGINT) — before the application's own services are shut down one by one, so that the API
/// answers 503 and `/readyz` reports draining while in-flight requests finish.
public struct DrainingApplication<App: ApplicationProtocol>: Service {
    let application: App
    let state: DrainState

    public init(_ application: App, state: DrainState) {
        self.application = application
        self.state = state
    }

    public func run() async throws {
        let state = self.state
        try await withGracefulShutdownHandler {
            try await application.run()
        } onGracefulShutdown: {
            state.beginDraining()
        }
    }
}

/// Refuses new API requests while draining.
struct DrainingMiddleware<Context: RequestContext>: RouterMiddleware {
    let state: DrainState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if state.isDraining {
            throw Problem.unavailable("The relay is shutting down; retry against it or another node shortly.", retryAfter: 10)
        }
        return try await next(request, context)
    }
}
