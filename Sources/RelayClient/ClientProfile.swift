import Foundation
import RelayAPI
import RelayCore

/// Where and as whom the `relay` CLI connects. Each setting comes from a flag, else an
/// environment variable (`RELAY_SERVER`, `RELAY_CERT`, `RELAY_KEY`, `RELAY_CA`,
/// `RELAY_INTAKE_KEY`, `RELAY_CENTRE_KEY`, `RELAY_STATE`), else the profile file (`--profile` or
/// `RELAY_PROFILE`, a JSON object with keys `server`, `cert`, `key`, `ca`, `intake_key`,
/// `centre_key`, `state`).
public struct ClientProfile: Sendable, Equatable {
    public var server: String
    public var certificate: String
    public var privateKey: String
    public var caBundle: String
    /// The intake's X25519 private key file (intakes only).
    public var intakeKey: String?
    /// The centre's X25519 private key file, for case update messages (centres only).
    public var centreKey: String?
    /// Where the spool, receipts and cursors live.
    public var stateDirectory: String

    public init(server: String, certificate: String, privateKey: String, caBundle: String, intakeKey: String? = nil, centreKey: String? = nil,
                stateDirectory: String) {
        self.server = server
        self.certificate = certificate
        self.privateKey = privateKey
        self.caBundle = caBundle
        self.intakeKey = intakeKey
        self.centreKey = centreKey
        self.stateDirectory = stateDirectory
    }

    /// Settings given as flags; `nil` where a flag was not given.
    public struct Overrides: Sendable {
        public var profile: String?
        public var server: String?
        public var certificate: String?
        public var privateKey: String?
        public var caBundle: String?
        public var intakeKey: String?
        public var centreKey: String?
        public var stateDirectory: String?

        public init(profile: String? = nil, server: String? = nil, certificate: String? = nil, privateKey: String? = nil,
                    caBundle: String? = nil, intakeKey: String? = nil, centreKey: String? = nil, stateDirectory: String? = nil) {
            self.profile = profile
            self.server = server
            self.certificate = certificate
            self.privateKey = privateKey
            self.caBundle = caBundle
            self.intakeKey = intakeKey
            self.centreKey = centreKey
            self.stateDirectory = stateDirectory
        }
    }

    /// Resolves flags over environment over profile file.
    public static func resolve(_ flags: Overrides, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClientProfile {
        var file: [String: JSONValue] = [:]
        if let path = flags.profile ?? environment["RELAY_PROFILE"] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ClientError.usage("cannot read the profile \(path); check the path given with --profile or RELAY_PROFILE")
            }
            guard let members = (try? JSONParser.parse(Array(data)))?.objectValue else {
                throw ClientError.usage("the profile \(path) is not a JSON object with server, cert, key and ca")
            }
            file = members
        }
        func setting(_ flag: String?, _ variable: String, _ key: String) -> String? {
            flag ?? environment[variable] ?? file[key]?.stringValue
        }
        func required(_ flag: String?, _ variable: String, _ key: String, _ option: String) throws -> String {
            guard let value = setting(flag, variable, key) else {
                throw ClientError.usage("no \(key) given: pass \(option), set \(variable), or name a profile with --profile")
            }
            return value
        }
        return ClientProfile(
            server: try required(flags.server, "RELAY_SERVER", "server", "--server"),
            certificate: try required(flags.certificate, "RELAY_CERT", "cert", "--cert"),
            privateKey: try required(flags.privateKey, "RELAY_KEY", "key", "--key"),
            caBundle: try required(flags.caBundle, "RELAY_CA", "ca", "--ca"),
            intakeKey: setting(flags.intakeKey, "RELAY_INTAKE_KEY", "intake_key"),
            centreKey: setting(flags.centreKey, "RELAY_CENTRE_KEY", "centre_key"),
            stateDirectory: setting(flags.stateDirectory, "RELAY_STATE", "state") ?? Self.defaultStateDirectory(environment))
    }

    static func defaultStateDirectory(_ environment: [String: String]) -> String {
        if let xdg = environment["XDG_STATE_HOME"] { return "\(xdg)/reportrelay" }
        return "\(environment["HOME"] ?? ".")/.local/state/reportrelay"
    }
}

/// Errors the CLI reports to a caseworker, each with what to do about it.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    /// The command line or profile is wrong.
    case usage(String)
    /// The relay could not be reached or is unavailable; the work is kept for `relay flush`.
    case unreachable(String)
    /// The relay refused the request (a 4xx problem).
    case rejected(status: Int, problem: JSONValue)
    /// A signature or proof did not verify.
    case verification(String)

    public var description: String {
        switch self {
        case .usage(let message): return message
        case .unreachable(let message): return message
        case .verification(let message): return message
        case .rejected(let status, let problem):
            guard let parsed = try? V1.Problem(json: problem) else {
                return "the relay refused the request (\(status)): \(problem["title"]?.stringValue ?? "error")"
            }
            var text = "the relay refused the request (\(status)): \(parsed.title)"
            if let detail = parsed.detail { text += ": \(detail)" }
            for error in parsed.errors { text += "\n  \(error.pointer) \(error.detail)" }
            return text
        }
    }
}
