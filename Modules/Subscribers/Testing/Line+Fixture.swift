public import CabinetCore
public import Foundation
public import Subscribers

extension Line {
    /// A Moscow line with sensible values; override what the test is about.
    public static func fixture(
        id: Int64 = 1, msisdn: String = "+79000000001", region: String = "msk", status: LineStatus = .active,
        activatedOn: String = "2024-01-15", owner: OwnerProfile = OwnerProfile(fullName: "Иванов Иван Иванович"),
        companyID: CompanyID? = nil, at date: Date = Date(timeIntervalSince1970: 1_795_000_000)
    ) -> Line {
        Line(
            id: SubscriberID(id), msisdn: MSISDN(e164: msisdn) ?? MSISDN(e164: "+79000000001")!,
            region: RegionID(rawValue: region) ?? RegionID(rawValue: "msk")!, status: status,
            activatedOn: LocalDate(activatedOn) ?? LocalDate(year: 2024, month: 1, day: 15)!, owner: owner,
            companyID: companyID, createdAt: date, updatedAt: date)
    }
}
