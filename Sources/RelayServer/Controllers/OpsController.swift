import Hummingbird
import RelayCore

/// The operations listener: `/healthz` (process up), `/readyz` (store writable, keys loaded,
/// not draining; stale CRLs as warnings) and `POST /reload` (what SIGHUP does, with the outcome:
/// for `relayctl reload`). The listener is loopback by default; anyone who can reach it can ask
/// the relay to read its own configuration file again, nothing more.
struct OpsController {
    let services: RelayServices

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let routes = RouteTable()
        router.add(middleware: ProblemMiddleware(routes: routes))
        router.get("healthz") { _, _ in Response.json(["status": "ok"]) }
        router.get("readyz") { _, _ in
            let storeError = await services.database.writeProbe(now: services.now())
            let writable = storeError == nil
            let keysLoaded = !services.keys.envelopeKeys.isEmpty
            let draining = services.drain.isDraining
            let ready = writable && keysLoaded && !draining
            var body: [String: JSONValue] = ["status": .string(ready ? "ready" : "not_ready"), "store_writable": .bool(writable),
                                             "keys_loaded": .bool(keysLoaded), "draining": .bool(draining)]
            // A CRL past its nextUpdate is still enforced; the operator is told to fetch a fresh one.
            let stale = services.tls.material.revocations.stale(now: services.now())
            if let storeError { body["store_error"] = .string(storeError) }
            if !stale.isEmpty {
                body["warnings"] = .array(stale.map { .string("tls.crl_file: the CRL of \($0) is past its nextUpdate; fetch a fresh one") })
            }
            return Response.json(.object(body), status: ready ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            let intakes = services.registry.directory.principals.filter { $0.role == .intake }.map(\.id)
            let text = try await services.metrics.scrape(services.database, intakes: intakes, now: services.now())
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
        router.post("reload") { _, _ in
            do {
                return Response.json(try await services.reloadFromFile().jsonValue)
            } catch let refusal as ReloadRefusal {
                throw Problem(status: .unprocessableContent, slug: "reload-refused", title: "Reload refused",
                              detail: "Nothing was changed: \(refusal.reason)")
            }
        }
        routes.set(router.routes.map { (path: $0.path.description, method: $0.method) })
        return router
    }
}
