import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// `deploy/` holds together: the systemd unit is confined (exposure measured by
/// `systemd-analyze security`) and writes only where the production configuration keeps its
/// data; the Containerfile copies files that exist and checks `/readyz`; the backup script makes
/// a verified backup of a running relayd; every series the alert rules name is one relayd exports.
@Suite("deploy/ (systemd, container, backup, Prometheus)", .serialized)
struct DeployTests {
    static let deploy = "\(Repository.root)/deploy"

    static func read(_ path: String) throws -> String { try String(contentsOfFile: "\(deploy)/\(path)", encoding: .utf8) }

    /// `key = value` lines of a unit file (a key given twice keeps both values).
    static func directives(_ unit: String) -> [(key: String, value: String)] {
        unit.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), !line.hasPrefix("["), let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }
    }

    @Test("the relayd unit is confined (systemd-analyze exposure at most 2.0) and writes only the data directory")
    func unit() async throws {
        let unit = try Self.read("systemd/relayd.service")
        let values = Dictionary(Self.directives(unit).map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        for (key, value) in [("NoNewPrivileges", "yes"), ("CapabilityBoundingSet", ""), ("ProtectSystem", "strict"), ("PrivateTmp", "yes"),
                             ("ProtectHome", "yes"), ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"), ("SystemCallFilter", "@system-service"),
                             ("MemoryDenyWriteExecute", "yes"), ("ExecReload", "/bin/kill -HUP $MAINPID"), ("User", "reportrelay")] {
            #expect(values[key] == value, "\(key)")
        }
        #expect(values["ExecStart"] == "/usr/local/bin/relayd --config /etc/reportrelay/relayd.yaml")
        // ReadWritePaths covers exactly where the production configuration keeps the database and keys.
        let config = try Self.read("config/relayd.yaml")
        let writable = try #require(values["ReadWritePaths"])
        for key in ["database: ", "key_directory: "] {
            let line = try #require(config.split(separator: "\n").first { $0.hasPrefix(key) })
            #expect(line.dropFirst(key.count).hasPrefix(writable + "/"), "\(line) is under \(writable)")
        }
        let analysis = try await Subprocess.run("systemd-analyze", ["security", "--offline=true", "\(Self.deploy)/systemd/relayd.service"])
        let figure = try #require(analysis.stdout.components(separatedBy: "Overall exposure level for relayd.service: ").last?
            .split(separator: " ").first.flatMap { Double($0) }, "\(analysis.stdout.suffix(400))")
        print("systemd-analyze security exposure of relayd.service: \(figure)")
        #expect(figure <= 2.0)
    }

    @Test("the Containerfile builds in two stages, runs as non-root, checks /readyz, and copies only files that exist")
    func containerfile() throws {
        let file = try Self.read("container/Containerfile")
        let lines = file.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        #expect(lines.filter { $0.hasPrefix("FROM ") }.count == 2)
        let user = try #require(lines.first { $0.hasPrefix("USER ") })
        #expect(!user.contains("root") && !user.hasSuffix(" 0") && !user.contains(" 0:"))
        #expect(lines.contains { $0.hasPrefix("HEALTHCHECK ") && $0.contains("http://127.0.0.1:9090/readyz") })
        #expect(lines.contains { $0.hasPrefix("ENTRYPOINT [\"/usr/local/bin/relayd\"]") })
        for copy in lines where copy.hasPrefix("COPY ") && !copy.contains("--from=") {
            let sources = copy.split(separator: " ").dropFirst().dropLast()
            for source in sources {
                #expect(FileManager.default.fileExists(atPath: "\(Repository.root)/\(source)"), "\(source) (from \(copy))")
            }
        }
    }

    @Test("the backup script makes a verified backup of a running relayd; the alert rules name only series relayd exports")
    func backupAndAlerts() async throws {
        #expect(try await Subprocess.run("sh", ["-n", "\(Self.deploy)/backup/reportrelay-backup.sh"]).status == 0)
        let daemon = try RelaydProcess()
        try await daemon.start()
        try await daemon.relay(["submit", "--profile", daemon.profile("traveller-centre"), "\(Repository.root)/seeds/traveller-centre/01-verbal-abuse-bus-stop.json"])
            .checked("relay submit")
        let backups = daemon.workspace.file("backups")
        let environment = ProcessInfo.processInfo.environment.merging(
            ["CONFIG": daemon.configPath, "BACKUP_DIR": backups, "RELAYCTL": Repository.binary("relayctl")], uniquingKeysWith: { $1 })
        let run = try await Subprocess.run("\(Self.deploy)/backup/reportrelay-backup.sh", [], environment: environment, directory: daemon.workspace.path)
            .checked("reportrelay-backup.sh")
        #expect(run.stdout.contains("backup: \(backups)/relay-"))
        let copies = try FileManager.default.contentsOfDirectory(atPath: backups).filter { $0.hasSuffix(".sqlite") }
        #expect(copies.count == 1)

        // Every relay_* series in the alert rules appears in a live scrape.
        let scrape = try await Subprocess.run("curl", ["-s", "http://127.0.0.1:\(daemon.opsPort)/metrics"]).checked("curl /metrics").stdout
        let exported = Set(scrape.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }.map(String.init))
        let exprs = try await Subprocess.run("python3", ["-c", """
            import sys, yaml
            doc = yaml.safe_load(open(sys.argv[1]))
            for group in doc["groups"]:
                for rule in group["rules"]:
                    print(rule["expr"])
            """, "\(Self.deploy)/prometheus/reportrelay-alerts.yml"]).checked("parse alert rules").stdout
        let named = Set(exprs.matches(of: /relay_[a-z_]+/).map { String($0.output) })
        #expect(named.count >= 5)
        for name in named { #expect(exported.contains(name), "\(name) is not exported") }
        try await daemon.stop()
    }
}
