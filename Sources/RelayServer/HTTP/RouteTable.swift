import Hummingbird
import NIOConcurrencyHelpers

/// The API's routes (path pattern and method), filled in once the router is built, so that a
/// request for a known path with a method it does not serve gets `405` with `Allow` rather than
/// `404`.
final class RouteTable: Sendable {
    private let routes = NIOLockedValueBox<[(pattern: [Substring], method: HTTPRequest.Method)]>([])

    func set(_ described: [(path: String, method: HTTPRequest.Method)]) {
        routes.withLockedValue { routes in
            routes = described.map { (pattern: $0.path.split(separator: "/"), method: $0.method) }
        }
    }

    /// The methods served at `path`, sorted; empty if no route has that path.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let components = path.split(separator: "/")
        let methods = routes.withLockedValue { routes in
            routes.filter { route in
                route.pattern.count == components.count
                    && zip(route.pattern, components).allSatisfy { pattern, component in pattern.hasPrefix("{") || pattern == "*" || pattern == component }
            }.map(\.method)
        }
        return Set(methods.map(\.rawValue)).sorted().map { HTTPRequest.Method($0)! }
    }
}
