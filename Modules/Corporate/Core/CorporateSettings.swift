import Auth
public import CabinetCore

/// The `corporate` section of a region file.
public struct CorporateSettings: ModuleSettings, Hashable {
    /// The share of a quota's money limit at which the employee and the admins are told (once a month); they are
    /// told again when it is used up.
    public var quotaWarningPercent: Int
    /// How often the quota job applies requested quotas and checks spending against them.
    public var quotaJobInterval: Duration
    /// Text messages a bulk operation sends per company and minute (the rest wait for the next minute).
    public var bulkSMSPerMinute: Int

    public init(quotaWarningPercent: Int = 80, quotaJobInterval: Duration = .seconds(10), bulkSMSPerMinute: Int = 60) {
        self.quotaWarningPercent = quotaWarningPercent
        self.quotaJobInterval = quotaJobInterval
        self.bulkSMSPerMinute = bulkSMSPerMinute
    }

    public init?(from section: ConfigObject) {
        let percent = section.requireInt("quotaWarningPercent", in: 1...99)
        let interval = section.requirePositiveDuration("quotaJobInterval")
        let sms = section.requireInt("bulkSMSPerMinute", in: 1...10_000)
        guard let percent, let interval, let sms else { return nil }
        self.init(quotaWarningPercent: percent, quotaJobInterval: interval, bulkSMSPerMinute: sms)
    }

    /// Admins log in with the region's SMS code, and the business cabinet's policy is a code of 6 digits or more: a
    /// region that switches Corporate on may not shorten its codes below that.
    public func validate(in region: RegionValidationContext) -> [ConfigProblem] {
        guard let auth = region.settings(of: AuthModule.self), auth.otp.length < 6 else { return [] }
        return [
            region.problem(
                at: "auth.otp.length",
                "company admins log in with 6-digit codes: a region with the corporate module needs a length of 6 or more"
            )
        ]
    }
}
