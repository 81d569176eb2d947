import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562 §5.7) for the ids the relay mints itself (delivery items,
    /// receipts): 48 bits of Unix time in milliseconds, then the version, the variant and 74
    /// random bits from the system's generator.
    ///
    /// Ids minted one after another sort one after another, so each new row's id lands on the
    /// right-hand edge of its unique index instead of on a random page: a grouped commit writes
    /// one index page for the whole batch, and a large store does not read a cold page back per
    /// insert. The id reveals the millisecond it was minted: a receipt states that time anyway; a
    /// delivery id tells the intake when the relay accepted the report (or recorded the consent
    /// change), a fact about the relay's processing, not about the victim (docs/threat-model.md).
    /// Ids chosen by centres (`report_id`) are whatever they chose.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        return timeOrdered(at: date, using: &generator)
    }

    /// ``timeOrdered(at:)`` with the random bits from `generator` (tests).
    public static func timeOrdered(at date: Date, using generator: inout some RandomNumberGenerator) -> UUID {
        let millis = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
        let high = (millis & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | (generator.next() & 0x0FFF)
        let low = 0x8000_0000_0000_0000 | (generator.next() & 0x3FFF_FFFF_FFFF_FFFF)
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { buffer in
            buffer.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
            buffer.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
        }
        return UUID(uuid: bytes)
    }
}
