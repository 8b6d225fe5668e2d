public import CabinetCore

/// What Services does, as its HTTP target and the composition root call it: the options catalogue of a line, the
/// preview of a connection with its conflicts and cost, connecting and disconnecting.
public protocol ServicesService: Sendable {
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
}
