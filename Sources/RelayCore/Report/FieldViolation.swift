/// One reason a document was refused: the JSON pointer of the field and what is wrong with it,
/// in words that never repeat the field's value.
public struct FieldViolation: Sendable, Equatable, Codable, CustomStringConvertible {
    public var pointer: String
    public var detail: String

    public init(pointer: String, detail: String) {
        self.pointer = pointer
        self.detail = detail
    }

    public var description: String { "\(pointer.isEmpty ? "(document)" : pointer): \(detail)" }
}

/// A document failed validation; every violation found is listed.
public struct ReportValidationError: Error, Sendable, Equatable {
    public var violations: [FieldViolation]

    public init(violations: [FieldViolation]) { self.violations = violations }
}

/// Escapes one JSON pointer reference token (RFC 6901).
public func jsonPointerToken(_ token: String) -> String {
    token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
}
