import Foundation
import Logging
import RelayCore

/// Log lines as JSON objects, one per line on standard error, for log shippers (`log.format:
/// json`): `{"ts", "level", "logger", "message", ...metadata}`. Metadata values are written as
/// strings; like every log line of the relay they carry ids, counts and reasons, never content.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        var members: [String: JSONValue] = [
            "ts": .string(RFC3339.format(Date(), milliseconds: true)), "level": .string(level.rawValue), "logger": .string(label),
            "message": .string(message.description),
        ]
        for (key, value) in self.metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) where members[key] == nil {
            members[key] = .string(value.description)
        }
        FileHandle.standardError.write(Data((JSONValue.object(members).canonicalString + "\n").utf8))
    }
}
