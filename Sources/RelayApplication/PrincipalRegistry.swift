import NIOConcurrencyHelpers
import RelayConfig

/// The current principal directory, replaceable at run time (SIGHUP reload, a later issue).
public final class PrincipalRegistry: Sendable {
    private let current: NIOLockedValueBox<PrincipalDirectory>

    public init(_ directory: PrincipalDirectory) { self.current = NIOLockedValueBox(directory) }

    public var directory: PrincipalDirectory { current.withLockedValue { $0 } }

    public func replace(with directory: PrincipalDirectory) { current.withLockedValue { $0 = directory } }
}
