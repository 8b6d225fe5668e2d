/// Told about every line the registry creates or re-imports, so other modules can set it up (Billing opens the
/// account on the region's default tariff). Must be idempotent: an import calls it again for lines that exist.
public protocol LineLifecycleObserver: Sendable {
    func lineReady(_ line: Line) async throws
}
