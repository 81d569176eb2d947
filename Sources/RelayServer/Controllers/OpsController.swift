import Hummingbird
import RelayCore

/// The operations listener: `/healthz` (process up) and `/readyz` (store writable, keys loaded,
/// not draining).
struct OpsController {
    let services: RelayServices

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let routes = RouteTable()
        router.add(middleware: ProblemMiddleware(routes: routes))
        router.get("healthz") { _, _ in Response.json(["status": "ok"]) }
        router.get("readyz") { _, _ in
            let writable = await services.database.isWritable()
            let keysLoaded = !services.keys.envelopeKeys.isEmpty
            let draining = services.drain.isDraining
            let ready = writable && keysLoaded && !draining
            return Response.json(["status": .string(ready ? "ready" : "not_ready"), "store_writable": .bool(writable),
                                  "keys_loaded": .bool(keysLoaded), "draining": .bool(draining)],
                                 status: ready ? .ok : .serviceUnavailable)
        }
        routes.set(router.routes.map { (path: $0.path.description, method: $0.method) })
        return router
    }
}
