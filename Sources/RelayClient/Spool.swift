import Foundation
import RelayAPI
import RelayCore

/// The centre's on-disk spool: a sealed submission is written (and fsynced) here before it is
/// sent, and removed only after the relay answers `201` or `200`. A submission the relay refuses
/// for good (400, 409, 422) moves to `rejected/` so that a caseworker can see it; nothing is lost.
public struct Spool: Sendable {
    public let directory: String

    public init(stateDirectory: String) {
        self.directory = "\(stateDirectory)/spool"
    }

    /// One spooled submission.
    public struct Entry: Sendable {
        public var reportID: UUID
        /// `{"report_id", "envelope"}`, byte-identical on every retry so the relay answers `200`.
        public var body: JSONValue
        public var path: String
    }

    /// Writes a submission durably.
    public func add(reportID: UUID, envelope: Envelope) throws -> Entry {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let body = V1.SubmitRequest(reportID: reportID, envelope: envelope.jsonValue).jsonValue
        let path = "\(directory)/\(reportID.lowercasedString).json"
        try DurableFile.write(body.canonicalBytes, to: path)
        return Entry(reportID: reportID, body: body, path: path)
    }

    /// Everything waiting to be sent, oldest first.
    public func pending() throws -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var entries: [(Date, Entry)] = []
        for name in names where name.hasSuffix(".json") {
            let path = "\(directory)/\(name)"
            guard let data = FileManager.default.contents(atPath: path), let body = try? JSONParser.parse(Array(data)),
                  let id = body["report_id"]?.stringValue.flatMap(UUID.init(canonical:)) else { continue }
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
            entries.append((modified, Entry(reportID: id, body: body, path: path)))
        }
        return entries.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Removes a submission the relay has accepted.
    public func remove(_ entry: Entry) throws {
        try FileManager.default.removeItem(atPath: entry.path)
    }

    /// Moves a submission the relay refused for good to `rejected/`.
    public func reject(_ entry: Entry) throws {
        let rejected = "\(directory)/rejected"
        try FileManager.default.createDirectory(atPath: rejected, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let target = "\(rejected)/\(entry.reportID.lowercasedString).json"
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.moveItem(atPath: entry.path, toPath: target)
    }
}

/// Files written whole or not at all: temporary file, fsync, rename, fsync of the directory.
public enum DurableFile {
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw ClientError.usage("cannot write \(temporary): check that the state directory is writable") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            guard written > 0 else {
                close(fd)
                throw ClientError.usage("cannot write \(temporary): is the disk full?")
            }
            offset += written
        }
        guard fsync(fd) == 0, close(fd) == 0, rename(temporary, path) == 0 else {
            throw ClientError.usage("cannot save \(path): is the disk full?")
        }
        let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}

/// `write(2)`, named apart from the `write` methods in scope.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
