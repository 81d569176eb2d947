import ArgumentParser
import Crypto
import Foundation
import RelayAPI
import RelayClient
import RelayCore

struct Keygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make an X25519 key pair (an intake's, or a centre's for case update messages): PREFIX.hpke.key (private, mode 0600; keep it) and PREFIX.hpke.pub (give it to the relay operator).")
    @Option(help: "Path prefix for the two files.") var out: String

    func run() async throws {
        try await runReporting {
            let privateFile = out + ".hpke.key", publicFile = out + ".hpke.pub"
            guard !FileManager.default.fileExists(atPath: privateFile) else {
                throw ClientError.usage("\(privateFile) exists; refusing to overwrite a private key (move it away first)")
            }
            let key = Curve25519.KeyAgreement.PrivateKey()
            try DurableFile.write(Array((Base64URL.encode(key.rawRepresentation) + "\n").utf8), to: privateFile, mode: 0o600)
            try DurableFile.write(Array((Base64URL.encode(key.publicKey.rawRepresentation) + "\n").utf8), to: publicFile, mode: 0o644)
            print("private key: \(privateFile)\npublic key:  \(publicFile)  (key id \(EnvelopeKeyID.of(key.publicKey)))")
        }
    }
}

struct Lease: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lease items from this intake's queue, decrypt them, and write each to DIR/DELIVERY_ID.json.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Most items to lease (1-100).") var max = 10
    @Option(help: "Lease length in seconds (5-3600; default: the relay's).") var leaseSeconds: Int?
    @Option(help: "Directory for the decrypted items.") var out = "leased"

    func run() async throws {
        try await runReporting {
            let profile = try connection.resolve()
            guard let keyFile = profile.intakeKey else {
                throw ClientError.usage("no intake private key: pass --intake-key, set RELAY_INTAKE_KEY, or add intake_key to the profile")
            }
            try await withAPI(profile) { api in
                let intake = try IntakeClient(api: api, privateKeyFile: keyFile)
                let items = try await intake.lease(max: max, leaseSeconds: leaseSeconds)
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                for item in items {
                    let path = "\(out)/\(item.deliveryID).json"
                    try DurableFile.write(item.jsonValue.canonicalBytes, to: path)
                    print("\(path)  \(item.kind)  report \(item.reportID)  risk \(item.risk)  attempt \(item.attempts)  lease until \(item.leaseExpiresAt)")
                }
                print("\(items.count) item(s) leased")
            }
        }
    }
}

/// A leased item named by its file (written by `relay lease`) or by id and token.
struct LeasedReference {
    var deliveryID: String
    var leaseToken: String

    static func resolve(_ argument: String, token: String?) throws -> LeasedReference {
        if FileManager.default.fileExists(atPath: argument) {
            guard let data = FileManager.default.contents(atPath: argument), let json = try? JSONParser.parse(Array(data)),
                  let id = json["delivery_id"]?.stringValue, let leaseToken = json["lease_token"]?.stringValue else {
                throw ClientError.usage("\(argument) is not an item file written by `relay lease`")
            }
            return LeasedReference(deliveryID: id, leaseToken: token ?? leaseToken)
        }
        guard UUID(canonical: argument) != nil else { throw ClientError.usage("\(argument) is neither a leased item file nor a delivery id") }
        guard let token else { throw ClientError.usage("with a delivery id, give its --token") }
        return LeasedReference(deliveryID: argument.lowercased(), leaseToken: token)
    }
}

struct Ack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Acknowledge leased items (files from `relay lease`, or a delivery id with --token).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Item files or delivery ids.") var items: [String]
    @Option(help: "Lease token (with a delivery id).") var token: String?
    @Option(help: "Your crime or incident reference.") var policeReference: String?

    func run() async throws {
        try await runReporting {
            let references = try items.map { try LeasedReference.resolve($0, token: token) }
            let profile = try connection.resolve()
            try await withAPI(profile) { api in
                let results = try await api.ack(references.map { V1.Ack(deliveryID: $0.deliveryID, leaseToken: $0.leaseToken, policeReference: policeReference) })
                var failed = 0
                for result in results {
                    if result.outcome != .delivered { failed += 1 }
                    print("\(result.deliveryID)  \(result.outcome.rawValue)")
                }
                if failed > 0 {
                    throw ClientError.rejected(status: 409, problem: ["title": "not all items acknowledged",
                        "detail": .string("\(failed) item(s) were superseded, unknown, or their lease had moved on; lease again")])
                }
            }
        }
    }
}

struct Nack: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hand a leased item back to the queue.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Item file or delivery id.") var item: String
    @Option(help: "Lease token (with a delivery id).") var token: String?
    @Option(help: "Keep it hidden for this many seconds before redelivery.") var retryAfter: Int?

    func run() async throws {
        try await runReporting {
            let reference = try LeasedReference.resolve(item, token: token)
            let profile = try connection.resolve()
            try await withAPI(profile) { api in
                try await api.nack(deliveryID: reference.deliveryID, leaseToken: reference.leaseToken, retryAfter: retryAfter)
                print("\(reference.deliveryID)  returned to the queue")
            }
        }
    }
}
