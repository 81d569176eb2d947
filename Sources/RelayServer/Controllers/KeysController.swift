import Hummingbird
import RelayAPI
import RelayConfig
import RelayCore

/// `GET /v1/keys` and `GET /v1/whoami`, for any identified principal.
struct KeysController {
    let services: RelayServices

    func addRoutes(to group: RouterGroup<AnyPrincipalContext>) {
        group.get("keys") { _, _ in self.keys() }
        group.get("whoami") { _, context in
            Response.api(V1.Whoami(principalID: context.principal.id, role: context.principal.role.rawValue, name: context.principal.name))
        }
    }

    func keys() -> Response {
        // The current signing key first, then retired ones, so that old receipts still verify.
        .api(V1.Keys(envelopeKeys: services.keys.envelopeKeys.map(\.publicKey), signingKeys: services.keys.signingPublicKeys,
                     checkpointOrigin: services.configuration.checkpointOrigin))
    }
}
