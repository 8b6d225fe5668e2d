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

    /// Whether a line in this status may move to `next`.
    public func canChange(to next: LineStatus) -> Bool {
        self != .terminated || next == .terminated
    }
}
