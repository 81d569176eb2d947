import Hummingbird
import RelayConfig
import RelayCore

/// `GET /v1/keys` and `GET /v1/whoami`, for any identified principal.
struct KeysController {
    let services: RelayServices

    func addRoutes(to group: RouterGroup<AnyPrincipalContext>) {
        group.get("keys") { _, _ in self.keys() }
        group.get("whoami") { _, context in
            Response.json(["principal_id": .string(context.principal.id), "role": .string(context.principal.role.rawValue),
                           "name": .string(context.principal.name)])
        }
    }

    func keys() -> Response {
        let envelopeKeys: [JSONValue] = services.keys.envelopeKeys.map { key in
            ["key_id": .string(EnvelopeKeyID.of(key.publicKey)), "suite": .string(Envelope.suiteName),
             "public_key": .string(Base64URL.encode(key.publicKey.rawRepresentation))]
        }
        // The current signing key first, then retired ones, so that old receipts still verify.
        let signing: [JSONValue] = services.keys.signingPublicKeys.map { key in
            ["key_id": .string(EnvelopeKeyID.of(key)), "alg": "Ed25519", "public_key": .string(Base64URL.encode(key.rawRepresentation))]
        }
        return .json([
            "envelope_keys": .array(envelopeKeys),
            "signing_keys": .array(signing),
            "checkpoint_origin": .string(services.configuration.checkpointOrigin),
        ])
    }
}
