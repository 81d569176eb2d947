import Crypto
import Foundation
import RelayCore
import Yams

extension RelayConfiguration {
    /// Loads and validates a YAML configuration file. Unknown keys are errors, so a misspelt key
    /// never silently falls back to a default.
    public static func load(path: String) throws -> RelayConfiguration {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(key: "(file)", problem: "cannot read \(path)", fix: "pass an existing file with --config")
        }
        return try parse(yaml: text)
    }

    /// Parses and validates YAML text.
    public static func parse(yaml text: String) throws -> RelayConfiguration {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigurationError(key: "(file)", problem: "the file is empty", fix: "start from config/relayd.example.yaml")
            }
            root = node
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(key: "(file)", problem: "not valid YAML (\(error))", fix: "check the indentation and quoting near the position given")
        }
        var reader = YAMLReader()
        let top = try reader.mapping(root, "", allowed: [
            "listen", "ops_listen", "tls", "database", "key_directory", "dev_pki", "checkpoint_origin", "checkpoint_interval_seconds", "limits", "queue",
            "default_intake", "principals", "revoked_serials", "retention", "log",
        ])
        let listen = try reader.address(top["listen"], "listen", default: .init(host: "127.0.0.1", port: 8443))
        let ops = try reader.address(top["ops_listen"], "ops_listen", default: .init(host: "127.0.0.1", port: 9090))
        guard let tlsNode = top["tls"] else {
            throw ConfigurationError(key: "tls", problem: "is missing", fix: "give tls.certificate, tls.private_key and tls.client_ca")
        }
        let tlsMap = try reader.mapping(tlsNode, "tls", allowed: ["certificate", "private_key", "client_ca", "cipher_suites", "crl_file"])
        var tls = TLSFiles(
            certificate: try reader.requiredString(tlsMap["certificate"], "tls.certificate", fix: "the server certificate chain (PEM)"),
            privateKey: try reader.requiredString(tlsMap["private_key"], "tls.private_key", fix: "the server private key (PEM, mode 0600)"),
            clientCA: try reader.requiredString(tlsMap["client_ca"], "tls.client_ca", fix: "the CA bundle (PEM) that client certificates must chain to"))
        if let suites = try reader.string(tlsMap["cipher_suites"], "tls.cipher_suites") {
            let names = suites.split(separator: ":").map(String.init)
            guard !names.isEmpty, names.allSatisfy({ $0.hasPrefix("ECDHE-") && ($0.contains("GCM") || $0.contains("CHACHA20")) }) else {
                throw ConfigurationError(key: "tls.cipher_suites", problem: "must list only ECDHE suites with AEAD ciphers (GCM or CHACHA20-POLY1305)",
                                         fix: "use OpenSSL names separated by colons, e.g. \(TLSFiles.intermediateCipherSuites)")
            }
            tls.cipherSuites = suites
        }
        tls.crlFile = try reader.string(tlsMap["crl_file"], "tls.crl_file")
        var revokedSerials = Set<String>()
        for (index, text) in try reader.strings(top["revoked_serials"], "revoked_serials").enumerated() {
            guard let serial = SerialText.parse(text) else {
                throw ConfigurationError(key: "revoked_serials[\(index)]", problem: "is not a certificate serial number in hex",
                                         fix: "copy it from `openssl x509 -in CERT -noout -serial` (colons and the serial= prefix are fine)")
            }
            revokedSerials.insert(serial)
        }
        var devPKI: DevPKISettings?
        if let devNode = top["dev_pki"] {
            let dev = try reader.mapping(devNode, "dev_pki", allowed: ["enabled", "directory", "server_names"])
            if try reader.bool(dev["enabled"], "dev_pki.enabled") ?? false {
                devPKI = DevPKISettings(directory: try reader.string(dev["directory"], "dev_pki.directory") ?? "certs/dev",
                                        serverNames: try reader.strings(dev["server_names"], "dev_pki.server_names"))
            }
        }
        var limits = Limits(maxBodyBytes: 1_048_576)
        if let node = top["limits"] {
            let map = try reader.mapping(node, "limits", allowed: [
                "max_body_bytes", "idle_timeout_seconds", "body_budget_bytes", "rate", "handshake_timeout_seconds", "request_head_timeout_seconds",
                "request_body_timeout_seconds", "max_connections", "max_requests_per_connection", "ops_max_connections",
            ])
            if let rateNode = map["rate"] {
                let rates = try reader.mapping(rateNode, "limits.rate", allowed: Set(Principal.Role.allCases.map(\.rawValue)))
                for role in Principal.Role.allCases {
                    if let rate = try reader.rate(rates[role.rawValue], "limits.rate.\(role.rawValue)") { limits.rates[role] = rate }
                }
            }
            limits.maxBodyBytes = try reader.int(map["max_body_bytes"], "limits.max_body_bytes", range: 1024...64 * 1_048_576) ?? limits.maxBodyBytes
            limits.idleTimeoutSeconds = try reader.int(map["idle_timeout_seconds"], "limits.idle_timeout_seconds", range: 1...3600) ?? limits.idleTimeoutSeconds
            limits.handshakeTimeoutSeconds = try reader.int(map["handshake_timeout_seconds"], "limits.handshake_timeout_seconds", range: 1...300) ?? limits.handshakeTimeoutSeconds
            limits.requestHeadTimeoutSeconds = try reader.int(map["request_head_timeout_seconds"], "limits.request_head_timeout_seconds", range: 1...300)
                ?? limits.requestHeadTimeoutSeconds
            limits.requestBodyTimeoutSeconds = try reader.int(map["request_body_timeout_seconds"], "limits.request_body_timeout_seconds", range: 1...3600)
                ?? limits.requestBodyTimeoutSeconds
            limits.maxConnections = try reader.int(map["max_connections"], "limits.max_connections", range: 8...1_000_000) ?? limits.maxConnections
            limits.maxRequestsPerConnection = try reader.int(map["max_requests_per_connection"], "limits.max_requests_per_connection", range: 1...1_000_000)
                ?? limits.maxRequestsPerConnection
            limits.opsMaxConnections = try reader.int(map["ops_max_connections"], "limits.ops_max_connections", range: 2...1024) ?? limits.opsMaxConnections
            limits.bodyBudgetBytes = try reader.int(map["body_budget_bytes"], "limits.body_budget_bytes", range: 1_048_576...4096 * 1_048_576) ?? limits.bodyBudgetBytes
            guard limits.bodyBudgetBytes >= limits.maxBodyBytes else {
                throw ConfigurationError(key: "limits.body_budget_bytes", problem: "is smaller than limits.max_body_bytes", fix: "make it at least max_body_bytes")
            }
        }
        var queue = QueueSettings(defaultLeaseSeconds: 60, maxLeaseSeconds: 3600, maxAttempts: 5)
        if let node = top["queue"] {
            let map = try reader.mapping(node, "queue", allowed: ["default_lease_seconds", "max_lease_seconds", "max_attempts"])
            queue.defaultLeaseSeconds = try reader.int(map["default_lease_seconds"], "queue.default_lease_seconds", range: 5...3600) ?? 60
            queue.maxLeaseSeconds = try reader.int(map["max_lease_seconds"], "queue.max_lease_seconds", range: 5...3600) ?? 3600
            queue.maxAttempts = try reader.int(map["max_attempts"], "queue.max_attempts", range: 1...1000) ?? 5
            if queue.defaultLeaseSeconds > queue.maxLeaseSeconds {
                throw ConfigurationError(key: "queue.default_lease_seconds", problem: "is larger than queue.max_lease_seconds",
                                         fix: "make the default no larger than the maximum")
            }
        }
        var retention = Retention()
        if let node = top["retention"] {
            let map = try reader.mapping(node, "retention", allowed: [
                "originals_after_delivery_days", "police_views_after_delivery_days", "dead_letters_days", "withdrawn_days", "interval_hours",
            ])
            retention.originalsAfterDeliveryDays = try reader.int(map["originals_after_delivery_days"], "retention.originals_after_delivery_days", range: 1...36_500)
            retention.policeViewsAfterDeliveryDays = try reader.int(map["police_views_after_delivery_days"], "retention.police_views_after_delivery_days", range: 1...36_500)
            retention.deadLettersDays = try reader.int(map["dead_letters_days"], "retention.dead_letters_days", range: 1...36_500)
            retention.withdrawnDays = try reader.int(map["withdrawn_days"], "retention.withdrawn_days", range: 1...36_500)
            retention.intervalHours = try reader.int(map["interval_hours"], "retention.interval_hours", range: 1...8760) ?? 24
        }
        var logFormat = LogFormat.text
        if let node = top["log"] {
            let map = try reader.mapping(node, "log", allowed: ["format"])
            if let text = try reader.string(map["format"], "log.format") {
                guard let format = LogFormat(rawValue: text) else {
                    throw ConfigurationError(key: "log.format", problem: "is not a log format", fix: "use text or json")
                }
                logFormat = format
            }
        }
        let principals = try reader.principals(top["principals"])
        let defaultIntake = try reader.string(top["default_intake"], "default_intake")
        if let defaultIntake, principals.first(where: { $0.id == defaultIntake && $0.role == .intake }) == nil {
            throw ConfigurationError(key: "default_intake", problem: "names no configured intake principal",
                                     fix: "set it to the id of a principal with role intake")
        }
        return RelayConfiguration(
            listen: listen, opsListen: ops, tls: tls,
            databasePath: try reader.string(top["database"], "database") ?? "var/relay.sqlite",
            keyDirectory: try reader.string(top["key_directory"], "key_directory") ?? "var/keys",
            devPKI: devPKI,
            checkpointOrigin: try reader.string(top["checkpoint_origin"], "checkpoint_origin") ?? "reportrelay.example/log",
            checkpointIntervalSeconds: try reader.int(top["checkpoint_interval_seconds"], "checkpoint_interval_seconds", range: 1...86_400) ?? 60,
            limits: limits, queue: queue, defaultIntake: defaultIntake, principals: principals, revokedSerials: revokedSerials,
            retention: retention, logFormat: logFormat)
    }
}

/// Typed reads from a YAML tree, each failure naming its key.
private struct YAMLReader {
    func mapping(_ node: Node, _ key: String, allowed: Set<String>) throws -> [String: Node] {
        guard let mapping = node.mapping else {
            throw ConfigurationError(key: key.isEmpty ? "(top level)" : key, problem: "must be a mapping of keys to values", fix: "see config/relayd.example.yaml")
        }
        var result: [String: Node] = [:]
        for (name, value) in mapping {
            guard let name = name.string else { continue }
            let path = key.isEmpty ? name : "\(key).\(name)"
            guard allowed.contains(name) else {
                throw ConfigurationError(key: path, problem: "is not a known key", fix: "remove it or correct its spelling; known keys here: \(allowed.sorted().joined(separator: ", "))")
            }
            result[name] = value
        }
        return result
    }

    func string(_ node: Node?, _ key: String) throws -> String? {
        guard let node else { return nil }
        guard let text = node.scalar?.string, !text.isEmpty else {
            throw ConfigurationError(key: key, problem: "must be a non-empty string", fix: "give a value such as the example's")
        }
        return text
    }

    func requiredString(_ node: Node?, _ key: String, fix: String) throws -> String {
        guard let text = try string(node, key) else { throw ConfigurationError(key: key, problem: "is missing", fix: "give \(fix)") }
        return text
    }

    func strings(_ node: Node?, _ key: String) throws -> [String] {
        guard let node else { return [] }
        guard let sequence = node.sequence else {
            throw ConfigurationError(key: key, problem: "must be a list", fix: "write it as [a, b] or one '- item' per line")
        }
        return try sequence.enumerated().map { index, element in
            guard let text = element.string else { throw ConfigurationError(key: "\(key)[\(index)]", problem: "must be a string", fix: "quote it") }
            return text
        }
    }

    func int(_ node: Node?, _ key: String, range: ClosedRange<Int>) throws -> Int? {
        guard let node else { return nil }
        guard let value = node.int, range.contains(value) else {
            throw ConfigurationError(key: key, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound)", fix: "give a number in that range")
        }
        return value
    }

    func double(_ node: Node?, _ key: String) throws -> Double? {
        guard let node else { return nil }
        guard let value = node.float else { throw ConfigurationError(key: key, problem: "must be a number", fix: "give a number such as 5 or 0.5") }
        return value
    }

    func bool(_ node: Node?, _ key: String) throws -> Bool? {
        guard let node else { return nil }
        guard let value = node.bool else { throw ConfigurationError(key: key, problem: "must be true or false", fix: "write true or false") }
        return value
    }

    func address(_ node: Node?, _ key: String, default fallback: RelayConfiguration.ListenAddress) throws -> RelayConfiguration.ListenAddress {
        guard let node else { return fallback }
        let map = try mapping(node, key, allowed: ["host", "port"])
        return .init(host: try string(map["host"], "\(key).host") ?? fallback.host,
                     port: try int(map["port"], "\(key).port", range: 0...65535) ?? fallback.port)
    }

    func principals(_ node: Node?) throws -> [Principal] {
        guard let node else { return [] }
        guard let sequence = node.sequence else {
            throw ConfigurationError(key: "principals", problem: "must be a list", fix: "one '- id: ...' entry per principal")
        }
        var seen = Set<String>()
        return try sequence.enumerated().map { index, element in
            let key = "principals[\(index)]"
            let map = try mapping(element, key, allowed: [
                "id", "role", "name", "communities", "hpke_public_key", "hpke_public_key_file", "areas", "spki_sha256", "enabled", "rate",
            ])
            let id = try requiredString(map["id"], "\(key).id", fix: "the principal id, equal to its certificate's subject CN")
            guard id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else {
                throw ConfigurationError(key: "\(key).id", problem: "may use only letters, digits, '-', '_' and '.' (64 at most)", fix: "rename the principal and its certificate CN")
            }
            guard seen.insert(id).inserted else {
                throw ConfigurationError(key: "\(key).id", problem: "repeats an earlier principal id", fix: "give every principal its own id")
            }
            let roleText = try requiredString(map["role"], "\(key).role", fix: "one of centre, intake, auditor")
            guard let role = Principal.Role(rawValue: roleText) else {
                throw ConfigurationError(key: "\(key).role", problem: "is not a role", fix: "use one of centre, intake, auditor")
            }
            let communities = try strings(map["communities"], "\(key).communities")
            for (position, community) in communities.enumerated() where !Vocabulary.communities.contains(community) {
                throw ConfigurationError(key: "\(key).communities[\(position)]", problem: "is not a known community",
                                         fix: "use one of \(Vocabulary.communities.sorted().joined(separator: ", "))")
            }
            var publicKey: Curve25519.KeyAgreement.PublicKey?
            var publicKeyFile: String?
            if role == .intake {
                (publicKey, publicKeyFile) = try intakeKey(map, key)
            } else if role == .centre {
                // Optional for a centre: without one, its case updates come without messages.
                (publicKey, publicKeyFile) = try optionalHPKEKey(map, key)
            } else if map["hpke_public_key"] != nil || map["hpke_public_key_file"] != nil {
                throw ConfigurationError(key: "\(key).hpke_public_key", problem: "only centres and intakes have HPKE keys", fix: "remove it from this auditor")
            }
            var pin: [UInt8]?
            if let pinText = try string(map["spki_sha256"], "\(key).spki_sha256") {
                guard let bytes = Self.pinBytes(pinText) else {
                    throw ConfigurationError(key: "\(key).spki_sha256", problem: "is not a SHA-256 digest",
                                             fix: "give 64 hex digits or base64 (openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256)")
                }
                pin = bytes
            }
            return Principal(
                id: id, role: role, name: try string(map["name"], "\(key).name") ?? id, communities: communities,
                hpkePublicKey: publicKey, hpkePublicKeyFile: publicKeyFile, areas: try strings(map["areas"], "\(key).areas"), spkiSHA256: pin,
                enabled: try bool(map["enabled"], "\(key).enabled") ?? true, rate: try rate(map["rate"], "\(key).rate"))
        }
    }

    /// `{per_second: 5, burst: 50}`.
    func rate(_ node: Node?, _ key: String) throws -> TokenBucket.Rate? {
        guard let node else { return nil }
        let map = try mapping(node, key, allowed: ["per_second", "burst"])
        guard let perSecond = try double(map["per_second"], "\(key).per_second"), perSecond > 0, perSecond <= 100_000 else {
            throw ConfigurationError(key: "\(key).per_second", problem: "must be a number of requests a second above 0 and at most 100000", fix: "e.g. per_second: 5")
        }
        let burst = try int(map["burst"], "\(key).burst", range: 1...1_000_000) ?? max(1, Int(perSecond.rounded(.up)))
        return TokenBucket.Rate(perSecond: perSecond, burst: burst)
    }

    /// An inline key is parsed now; a key file is only noted, and read by `resolvingIntakeKeys()`
    /// (so that a development PKI can create it first).
    func intakeKey(_ map: [String: Node], _ key: String) throws -> (Curve25519.KeyAgreement.PublicKey?, String?) {
        let found = try optionalHPKEKey(map, key)
        if found.0 != nil || found.1 != nil { return found }
        throw ConfigurationError(key: "\(key).hpke_public_key", problem: "an intake needs its HPKE public key",
                                 fix: "give hpke_public_key (base64url, 32 bytes) or hpke_public_key_file, made by `relay keygen`")
    }

    func optionalHPKEKey(_ map: [String: Node], _ key: String) throws -> (Curve25519.KeyAgreement.PublicKey?, String?) {
        if let text = try string(map["hpke_public_key"], "\(key).hpke_public_key") {
            return (try IntakeKeyText.parse(text, key: "\(key).hpke_public_key"), nil)
        }
        return (nil, try string(map["hpke_public_key_file"], "\(key).hpke_public_key_file"))
    }

    static func pinBytes(_ text: String) -> [UInt8]? {
        if text.count == 64, let bytes = Hex.decode(text) { return bytes }
        if let data = Data(base64Encoded: text) ?? Base64URL.decode(text), data.count == 32 { return Array(data) }
        return nil
    }
}

/// Intake public keys as text: unpadded base64url of the 32 raw bytes.
enum IntakeKeyText {
    static func parse(_ text: String, key: String) throws -> Curve25519.KeyAgreement.PublicKey {
        guard let raw = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32,
              let publicKey = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw) else {
            throw ConfigurationError(key: key, problem: "is not a 32-byte X25519 public key in base64url",
                                     fix: "copy the .hpke.pub file that `relay keygen` wrote")
        }
        return publicKey
    }
}

extension RelayConfiguration {
    /// Reads every intake's and centre's `hpke_public_key_file`.
    public func resolvingIntakeKeys() throws -> RelayConfiguration {
        var resolved = self
        for (index, principal) in principals.enumerated() where principal.hpkePublicKey == nil {
            guard let file = principal.hpkePublicKeyFile else { continue }
            let key = "principals[\(index)].hpke_public_key_file"
            guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError(key: key, problem: "cannot read \(file)",
                                         fix: "create it with `relay keygen` (or `relayctl pki init` in development)")
            }
            resolved.principals[index].hpkePublicKey = try IntakeKeyText.parse(contents, key: key)
        }
        return resolved
    }
}
