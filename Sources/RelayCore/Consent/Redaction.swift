/// One entry of the redaction summary: which field of the original report was removed,
/// coarsened or scrubbed, and for free text how many replacements of each kind — never values.
public struct Redaction: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case removed, coarsened, scrubbed
    }

    /// JSON pointer of the field in the original report.
    public var path: String
    public var action: Action
    /// Replacement counts by kind (`name`, `phone`, ...), for `scrubbed` only.
    public var counts: [String: Int]

    public init(path: String, action: Action, counts: [String: Int] = [:]) {
        self.path = path
        self.action = action
        self.counts = counts
    }

    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["path": .string(path), "action": .string(action.rawValue)]
        if action == .scrubbed {
            members["counts"] = .object(counts.mapValues { .integer($0) })
        }
        return .object(members)
    }
}
