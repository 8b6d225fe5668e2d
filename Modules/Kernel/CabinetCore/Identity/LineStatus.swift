/// What the network lets a line do.
public enum LineStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Everything works.
    case active
    /// Blocked (lost SIM, operator decision): no service, no login alerts to a thief.
    case blocked
    /// Voluntarily suspended by the owner, or for debt.
    case suspended
    /// The contract ended. Final: the line cannot come back.
    case terminated

    /// Why a line in this status may spend no money and change nothing (`line.suspended`, `line.blocked`); `nil` for
    /// an active line. One rule for every module: a blocked or suspended line is looked at, not used.
    public func refusal(msisdn: MSISDN) -> CabinetError? {
        switch self {
        case .active: nil
        case .suspended: CabinetError(KernelError.lineSuspended, arguments: ["msisdn": msisdn.formatted])
        case .blocked, .terminated: CabinetError(KernelError.lineBlocked, arguments: ["msisdn": msisdn.formatted])
        }
    }

    /// Whether a line in this status may move to `next`.
    public func canChange(to next: LineStatus) -> Bool {
        self != .terminated || next == .terminated
    }
}
