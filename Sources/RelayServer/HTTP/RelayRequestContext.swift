import Hummingbird
import RelayConfig
import NIOCore

/// The request context of the API listener: the channel (for the TLS peer certificate) and the
/// principal the certificate identified, set once by ``PrincipalMiddleware``.
public struct RelayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel
    /// Set by ``PrincipalMiddleware``; `nil` only before it has run.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
        self.principal = nil
    }
}

/// A role an endpoint group demands.
public protocol RoleRequirement: Sendable {
    static var role: Principal.Role { get }
}

public enum CentreRole: RoleRequirement { public static let role = Principal.Role.centre }
public enum IntakeRole: RoleRequirement { public static let role = Principal.Role.intake }
public enum AuditorRole: RoleRequirement { public static let role = Principal.Role.auditor }

/// A context that exists only for a principal of role `R`: its throwing init is the role check.
public struct RoleContext<R: RoleRequirement>: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let principal: Principal

    public init(context: RelayRequestContext) throws {
        guard let principal = context.principal else { throw Problem.forbidden("No principal was identified.") }
        guard principal.role == R.role else {
            throw Problem.forbidden("This endpoint is for role \(R.role.rawValue); this principal's role is \(principal.role.rawValue).")
        }
        self.coreContext = context.coreContext
        self.principal = principal
    }
}

/// Any identified principal.
public struct AnyPrincipalContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let principal: Principal

    public init(context: RelayRequestContext) throws {
        guard let principal = context.principal else { throw Problem.forbidden("No principal was identified.") }
        self.coreContext = context.coreContext
        self.principal = principal
    }
}
