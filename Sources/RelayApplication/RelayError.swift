import RelayCore

/// Why a use case refused: the application's own errors, free of HTTP. The server maps each to
/// one problem+json in one place (`ProblemMiddleware`); other callers (relayctl, tests) read them
/// as they are. Like every error here, they carry ids and field pointers, never report content.
public enum RelayError: Error, Sendable, Equatable {
    /// The request's fields are not valid (pointers into the request).
    case invalidRequest([FieldViolation])
    /// The report inside the envelope is not valid (pointers into the report).
    case invalidReport([FieldViolation])
    /// The envelope names a key the relay does not hold; `known` are the ids it does, newest first.
    case unknownEnvelopeKey(known: [String])
    case unsupportedEnvelopeSuite
    /// The envelope did not open: another key, report id or purpose, or altered.
    case envelopeDoesNotOpen
    /// The report id is taken: by another envelope, or another centre (worded the same for both).
    case reportIDInUse
    /// No such resource visible to this principal.
    case notFound
    /// No police intake is configured for the report's area (or the one holding it is gone).
    case noIntake(detail: String)
    /// The stored original can no longer be opened, so a new police view cannot be derived.
    case originalUnavailable
    /// The report kept changing while a change to it was prepared.
    case changedMeanwhile
    /// The update id is taken by a different update.
    case updateIDInUse
    /// The victim withdrew consent after delivery: police may only post `closed`.
    case onlyClosedAfterWithdrawal
    /// The report's centre has no update key configured, so a message cannot be sealed to it.
    case noUpdateKey

    init(_ error: EnvelopeError) {
        switch error {
        case .unknownKeyID(let known): self = .unknownEnvelopeKey(known: known)
        case .unsupportedSuite: self = .unsupportedEnvelopeSuite
        case .cannotOpen: self = .envelopeDoesNotOpen
        }
    }
}
