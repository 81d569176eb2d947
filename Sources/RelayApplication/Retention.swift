import Foundation
import RelayConfig
import RelayStore

extension PurgeCutoffs {
    /// The cutoffs `retention` sets at `now`: each kind of body older than its days is due.
    public init(_ retention: RelayConfiguration.Retention, now: Date) {
        func before(_ days: Int?) -> Date? { days.map { now.addingTimeInterval(-Double($0) * 86_400) } }
        self.init(originalsDeliveredBefore: before(retention.originalsAfterDeliveryDays),
                  viewsDeliveredBefore: before(retention.policeViewsAfterDeliveryDays),
                  deadLetteredBefore: before(retention.deadLettersDays), withdrawnBefore: before(retention.withdrawnDays))
    }

    /// Whether any kind of body has a retention period.
    public var isEmpty: Bool { self == PurgeCutoffs() }
}
