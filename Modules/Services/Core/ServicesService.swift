public import CabinetCore
public import Foundation

/// What Services does, as its HTTP target and the composition root call it: the options catalogue of a line, the
/// preview of a connection with its conflicts and cost, connecting and disconnecting.
public protocol ServicesService: BlackListService, DeviceSettingsService, RoamingService, SIMBlockService,
    SuspensionService
{
    /// The region's options as the line sees them: connected, included in its tariff, or available.
    func catalogue(for line: LineAccess) async throws -> [OptionView]
    /// What connecting `option` would cost and replace, and whether the balance allows it.
    func preview(_ option: OptionID, for line: LineAccess) async throws -> OptionPreview
    /// Connects `option`; `replacing` must name exactly the connected options it conflicts with (none when there
    /// are no conflicts). Refuses a conflict that is not replaced, a fee the balance does not cover, an option
    /// already connected or included in the tariff.
    func connect(_ option: OptionID, for line: LineAccess, replacing: [OptionID]) async throws -> ServiceRequest
    /// Disconnects `option` at once, free of charge; an option included in the tariff stays.
    func disconnect(_ option: OptionID, for line: LineAccess) async throws -> ServiceRequest
    /// The operator acts on a line by its number with the same rules (conflicts, fees); the request records say the
    /// operator did it (`services.operatorConnect`, `services.operatorDisconnect`).
    func operatorCatalogue(of msisdn: MSISDN) async throws -> [OptionView]
    func operatorConnect(_ option: OptionID, on msisdn: MSISDN, replacing: [OptionID]) async throws -> ServiceRequest
    func operatorDisconnect(_ option: OptionID, on msisdn: MSISDN) async throws -> ServiceRequest
}

/// The black list of a line as its page and the API show it.
public struct BlackListView: Sendable, Hashable {
    public var state: BlackListState?
    public var entries: [BlackListEntry]
    public var policy: ServicesSettings.BlackListPolicy
    /// Calls stopped in the last 30 days, per number and local day, newest first.
    public var blocked: [BlockedCallDay]

    public var isOn: Bool { state?.active == true }
}

/// The black list and the network's call check (Services I).
public protocol BlackListService: Sendable {
    func blackList(for line: LineAccess) async throws -> BlackListView
    func connectBlackList(for line: LineAccess) async throws -> ServiceRequest
    func disconnectBlackList(for line: LineAccess) async throws -> ServiceRequest
    /// Adds a number as a person types it (Russian, Kazakh, international; a short number is refused).
    func addToBlackList(_ number: String, label: String?, for line: LineAccess) async throws -> ServiceRequest
    func removeFromBlackList(_ number: String, for line: LineAccess) async throws -> ServiceRequest
    /// Answers the network for each attempt: allow, or deny with the reason; calls the black list stops are logged
    /// for the callee once per event id.
    func check(_ attempts: [CallAttempt]) async throws -> [CallDecision]
}

/// The settings SMS («Настройки интернета и MMS»): the region's APN and MMS settings sent to the line's phone.
public protocol DeviceSettingsService: Sendable {
    /// The settings of the line's region and how many of today's messages are left.
    func deviceSettings(for line: LineAccess) async throws -> DeviceSettingsView
    /// Sends them by SMS in `language` (a request record); at most the region's number per local day
    /// (``ServicesError/settingsTooMany`` with the seconds to the next local midnight).
    func sendDeviceSettings(for line: LineAccess, language: Language) async throws -> ServiceRequest
}

/// What the settings page and `GET /api/v1/me/settings-sms` show.
public struct DeviceSettingsView: Sendable, Hashable {
    public var settings: ServicesSettings.DeviceSettings
    public var sentToday: Int

    public var leftToday: Int { max(0, settings.maxPerDay - sentToday) }
}

/// Roaming prices as the line sees them (Services II).
public protocol RoamingService: Sendable {
    /// The countries of the line's region catalogue matching `country` (ISO code, or the start of a Russian or English
    /// name; every country when empty), with their zone's prices, and whether roaming is barred on the line.
    func roaming(for line: LineAccess, country: String, language: Language) async throws -> RoamingView
}

/// What `/roaming` and `GET /api/v1/roaming` show.
public struct RoamingView: Sendable, Hashable {
    public struct Match: Sendable, Hashable {
        public var country: RoamingCatalogue.Country
        public var zone: RoamingCatalogue.Zone
    }

    public var matches: [Match]
    /// A connected or tariff-included option bars roaming on the line: nothing abroad works until it is off.
    public var barredBy: OptionView?
}

/// A lost SIM blocked in one step (Services II). Unblocking is the operator's (an office, with the owner's passport).
public protocol SIMBlockService: Sendable {
    /// The line's status, since when it is blocked, and what a block costs in its region.
    func simBlock(for line: LineAccess) async throws -> SIMBlockView
    /// Blocks the line's SIM at once, free: from a session of the line itself (code, password or PUK login), of a
    /// linked number, or of a delegate with `manageServices`. The owner is told on their contact number and e-mail.
    func blockSIM(for line: LineAccess, language: Language) async throws -> ServiceRequest
    /// The public form: the number and the PUK of its SIM (Auth checks it, with its lock-outs).
    func blockSIM(msisdn: MSISDN, puk: String, clientAddress: String?, language: Language) async throws
        -> ServiceRequest
    /// The public form's second way in: a code to the owner's contact number (sent only when it is theirs; the same
    /// answer either way). Returns when another code may be asked for.
    func requestBlockCode(msisdn: MSISDN, contact: MSISDN, clientAddress: String?, language: Language) async throws
        -> Date
    /// Blocks with the code the contact number received.
    func blockSIM(msisdn: MSISDN, contact: MSISDN, code: String, clientAddress: String?, language: Language)
        async throws -> ServiceRequest
    /// The operator unblocks a blocked line, saying why (`services.simUnblock`, the reason as its detail).
    func operatorUnblock(msisdn: MSISDN, reason: String) async throws -> ServiceRequest
}

/// What `/sim-block` and `GET /api/v1/me/sim-block` show.
public struct SIMBlockView: Sendable, Hashable {
    public var status: LineStatus
    public var blockedSince: Date?
    public var policy: ServicesSettings.SIMBlockPolicy
    /// Where to turn to unblock it: the region's support contacts (Support's settings), and its e-mail.
    public var contacts: [(number: String, label: LocalizedText)]
    public var email: String?

    public static func == (lhs: SIMBlockView, rhs: SIMBlockView) -> Bool {
        lhs.status == rhs.status && lhs.blockedSince == rhs.blockedSince && lhs.policy == rhs.policy
            && lhs.contacts.map(\.number) == rhs.contacts.map(\.number) && lhs.email == rhs.email
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(blockedSince)
        hasher.combine(policy)
    }
}

/// A holiday suspension with a planned resume (Services II).
public protocol SuspensionService: Sendable {
    func suspension(for line: LineAccess) async throws -> SuspensionView
    /// What suspending from `firstDay` until `resumeDay` (service back at its local midnight) costs, and whether the
    /// region allows it.
    func previewSuspension(for line: LineAccess, from firstDay: LocalDate, until resumeDay: LocalDate) async throws
        -> SuspensionPreview
    /// Plans it (a request record); one starting today starts at once.
    func suspend(for line: LineAccess, from firstDay: LocalDate, until resumeDay: LocalDate) async throws
        -> ServiceRequest
    /// Resumes a running suspension early (its fee stops that day) or cancels a planned one.
    func resume(for line: LineAccess) async throws -> ServiceRequest
    /// The job: starts planned suspensions whose first day has come and ends running ones at their resume day's
    /// midnight, each once however many servers run it; returns how many it moved.
    func runSuspensions() async throws -> Int
}
