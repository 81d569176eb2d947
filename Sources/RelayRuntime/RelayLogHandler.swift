import Foundation
import Logging
import RelayConfig
import RelayCore

/// relayd's log lines on standard error, in the configured `log.format`:
/// - `text` (the default), swift-log's `StreamLogHandler` layout:
///   `TIME LEVEL LABEL: key=value … [SOURCE] MESSAGE`, metadata sorted by key;
/// - `json`, one object per line for log shippers: `{"ts", "level", "logger", "message",
///   ...metadata}`, metadata values written as strings.
///
/// Like every log line of the relay, they carry ids, counts and reasons, never content; an error
/// passed to the logger (`error:`) is not written, as its description could carry content.
///
/// Metadata is rendered only for a line that is written. `StreamLogHandler` renders its metadata
/// into a string whenever the metadata changes, and the HTTP server sets a request id (and the
/// relay the caller's principal) on every request, so every request paid for a string that was
/// almost never written (`perf` under `relay-bench http`: about 1% of the daemon's CPU).
public struct RelayLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let format: RelayConfiguration.LogFormat

    public init(label: String, format: RelayConfiguration.LogFormat) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Never `write(_:)`, which traps on an error: a full disk or a closed pipe must not stop
        // the relay because a log line could not be written. `event.error` is not written (above).
        let line = formatted(level: event.level, message: event.message, metadata: event.metadata, source: event.source)
        try? FileHandle.standardError.write(contentsOf: Data(line.utf8))
    }

    /// One line, with its newline: the handler's metadata and the call's (which wins).
    func formatted(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String) -> String {
        let merged = self.metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 })
        switch format {
        case .text:
            let rendered = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            return "\(Self.localTimestamp()) \(level) \(label):\(rendered) [\(source)] \(message)\n"
        case .json:
            var members: [String: JSONValue] = [
                "ts": .string(RFC3339.format(Date(), milliseconds: true)), "level": .string(level.rawValue), "logger": .string(label),
                "message": .string(message.description),
            ]
            for (key, value) in merged where members[key] == nil { members[key] = .string(value.description) }
            return JSONValue.object(members).canonicalString + "\n"
        }
    }

    /// Local time, as `StreamLogHandler` writes it: `2026-12-04T08:15:02+0000`.
    static func localTimestamp() -> String {
        var now = time(nil)
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
