import ArgumentParser
import Foundation
import Logging
import NIOCore
import RelayConfig
import RelayRuntime

@main
struct Relayd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relayd",
        abstract: "The ReportRelay daemon: mutual-TLS API, durable SQLite forwarding queue, signed receipts.",
        subcommands: [Serve.self, CheckConfig.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the daemon (the default).")

    @Option(name: .long, help: "Configuration file (YAML).")
    var config = "config/relayd.example.yaml"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        // The log format is the one setting read before everything else, so that every line
        // (configuration errors aside) comes out in it.
        let format = (try? RelayConfiguration.load(path: config).logFormat) ?? .text
        LoggingSystem.bootstrap { label -> any LogHandler in
            RelayLogHandler(label: label, format: format)
        }
        var logger = Logger(label: "relayd")
        logger.logLevel = logLevel
        do {
            try await RelayDaemon.run(configPath: config, logger: logger)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("relayd: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            FileHandle.standardError.write(Data("relayd: cannot listen: the address is already in use (is another relayd running?). Fix: stop it, or change listen.port / ops_listen.port in \(config)\n".utf8))
            throw ExitCode(69)  // EX_UNAVAILABLE
        }
    }
}

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Validate a configuration file and the files it names.")

    @Argument(help: "Configuration file (YAML).")
    var file: String

    func run() async throws {
        do {
            let configuration = try RelayDaemon.check(configPath: file)
            print("relayd: \(file) is valid (\(configuration.principals.count) principals)")
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("relayd: \(error)\n".utf8))
            throw ExitCode(78)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
