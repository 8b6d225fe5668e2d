/// Who runs a piece of background work now, when several servers share one database: a node runs a job only while it
/// holds the job's lease, renewing it each run; another node takes the job over when the lease lapses (its holder
/// stopped or died). The work stays idempotent besides (permanent external ids, conditional updates): the lease stops
/// two nodes doing the same work at the same moment, it is not what makes the work correct.
public protocol JobLeasing: Sendable {
    /// Takes or renews the lease on `job` for `duration`; `false` while another node holds it.
    func acquire(_ job: String, for duration: Duration) async throws -> Bool
    /// Gives the lease up (a graceful stop), so another node need not wait for it to lapse.
    func release(_ job: String) async throws
}
