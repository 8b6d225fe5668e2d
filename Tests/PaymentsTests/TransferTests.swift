import Billing
import CabinetCore
import CabinetTesting
import Foundation
import Payments
import PaymentsTesting
import Subscribers
import Testing

/// Transfers between lines on every backend (SQL and memory): limits and fee, refusals that move nothing, concurrency
/// that conserves every kopeck, and a transfer a crash interrupted finished once. The test bed's fee is 2.00.
@Suite struct TransferTests {
    func rub(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .rub) }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func aTransferMovesTheAmountAndChargesTheFee(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let alice = try await bed.line("+79001234567", credit: "1000.00")
            let bob = try await bed.line("+79001234568")
            let transfer = try await bed.service.transfer(from: alice.id, to: bob.msisdn, amount: rub(30_000))
            #expect(transfer.status == .done)
            #expect(try await bed.balance(alice) == "698.00")
            #expect(try await bed.balance(bob) == "300.00")
            #expect(try await bed.service.transfers(of: bob.id).map(\.id) == [transfer.id], "the recipient sees it")
            let history = try await bed.movements(of: bob, kinds: [.transfer], limit: 5)
            #expect(history.first?.arguments["from"] == "+79001234567")
            let requests = try await bed.requests(of: alice, limit: 5)
            #expect(requests.first?.kind == "payments.transfer")
            #expect(requests.first?.status == .done)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func refusalsMoveNothing(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let alice = try await bed.line("+79001234567", credit: "15100.00")
            let bob = try await bed.line("+79001234568", credit: "5.00")
            func code(_ body: () async throws -> Transfer) async -> String? {
                do {
                    _ = try await body()
                    return nil
                } catch let error as CabinetError {
                    return error.fieldErrors.first?.code.rawValue ?? error.code.rawValue
                } catch {
                    return "\(error)"
                }
            }
            #expect(
                await code { try await bed.service.transfer(from: alice.id, to: alice.msisdn, amount: rub(10_000)) }
                    == "payments.transfer.toSelf")
            #expect(
                await code {
                    try await bed.service.transfer(
                        from: alice.id, to: MSISDN(e164: "+79009999999")!, amount: rub(10_000))
                }
                    == "payments.transfer.recipientUnknown")
            #expect(
                await code { try await bed.service.transfer(from: alice.id, to: bob.msisdn, amount: rub(999)) }
                    == "payments.transfer.amount")
            #expect(
                await code { try await bed.service.transfer(from: alice.id, to: bob.msisdn, amount: rub(500_001)) }
                    == "payments.transfer.amount")
            #expect(
                await code { try await bed.service.transfer(from: bob.id, to: alice.msisdn, amount: rub(1_000)) }
                    == "payments.transfer.insufficientFunds", "5.00 does not cover 10.00 and the fee")
            #expect(try await bed.service.transfers(of: bob.id).first?.status == .refused)
            for _ in 0..<3 { _ = try await bed.service.transfer(from: alice.id, to: bob.msisdn, amount: rub(500_000)) }
            do {
                _ = try await bed.service.transfer(from: alice.id, to: bob.msisdn, amount: rub(1_000))
                Issue.record("the daily limit must refuse")
            } catch let error as CabinetError {
                #expect(error.code == PaymentsError.transferDailyLimit)
                #expect(error.arguments["left"] == "0.00")
            }
            bed.clock.advance(by: .seconds(86_400))
            _ = try await bed.service.transfer(from: alice.id, to: bob.msisdn, amount: rub(1_000))
            #expect(try await bed.balance(alice) == "82.00")
            #expect(try await bed.balance(bob) == "15015.00")
            #expect(try await bed.check().isClean)
        }
    }

    /// A blocked SIM (maybe in a thief's hands) or a suspended line sends no money: no transfer, no saved-card charge.
    @Test(arguments: PaymentsTestBed.Backend.all)
    func aBlockedOrSuspendedLineSendsNothing(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let alice = try await bed.line("+79001234567", credit: "1000.00")
            let bob = try await bed.line("+79001234568")
            try await bed.topUp(alice, "100.00", saveCard: true)
            let card = try #require(try await bed.service.cards(of: alice.id).first).id
            for (status, code) in [
                (LineStatus.blocked, KernelError.lineBlocked), (.suspended, KernelError.lineSuspended),
            ] {
                _ = try await bed.lines.update(msisdn: alice.msisdn, with: LinePatch(status: status))
                await #expect(throws: CabinetError(code, arguments: ["msisdn": alice.msisdn.formatted])) {
                    try await bed.service.transfer(from: alice.id, to: bob.msisdn, amount: rub(10_000))
                }
                await #expect(throws: CabinetError(code, arguments: ["msisdn": alice.msisdn.formatted])) {
                    try await bed.service.payWithCard(card, line: alice.id, amount: rub(20_000))
                }
            }
            #expect(try await bed.balance(alice) == "1100.00")
            #expect(try await bed.balance(bob) == "0.00")
            _ = try await bed.lines.update(msisdn: alice.msisdn, with: LinePatch(status: .active))
            _ = try await bed.service.transfer(from: alice.id, to: bob.msisdn, amount: rub(10_000))
            #expect(try await bed.balance(bob) == "100.00")
        }
    }

    /// A promised payment is credit for the operator's services, not cash: a line that took one sends away only what
    /// it has above the amount owed, fee included.
    @Test(arguments: PaymentsTestBed.Backend.all)
    func aPromisedPaymentIsNotSentAway(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let alice = try await bed.line("+79001234567")
            let bob = try await bed.line("+79001234568")
            _ = try await bed.service.takePromised(alice.id, amount: rub(10_000))
            let balance = try await bed.balance(alice)
            await #expect(throws: CabinetError.self) {
                try await bed.service.transfer(from: alice.id, to: bob.msisdn, amount: rub(5_000))
            }
            do {
                _ = try await bed.service.transfer(from: alice.id, to: bob.msisdn, amount: rub(5_000))
            } catch let error as CabinetError {
                #expect(error.code == PaymentsError.transferPromisedCredit)
            }
            #expect(try await bed.balance(alice) == balance, "nothing left")
            try await bed.topUp(alice, "300.00")
            // The top-up repaid the promised payment first; the rest may go.
            _ = try await bed.service.transfer(from: alice.id, to: bob.msisdn, amount: rub(5_000))
            #expect(try await bed.balance(bob) == "50.00")
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func concurrentTransfersConserveEveryKopeck(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            var lines: [Line] = []
            for index in 0..<8 { lines.append(try await bed.line("+7900123450\(index)", credit: "300.00")) }
            let all = lines
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<120 {
                    let from = all[index % all.count]
                    let to = all[(index * 5 + 3) % all.count]
                    guard from.id != to.id else { continue }
                    group.addTask {
                        (try? await bed.service.transfer(
                            from: from.id, to: to.msisdn,
                            amount: Money(
                                minorUnits: Int64(1_000 + index * 97),
                                currency: .rub))) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let done = outcomes.filter { $0 }.count
            var total: Int64 = 0
            for line in lines {
                let balance = try await bed.ledger.balance(of: line.id)
                #expect(balance.minorUnits >= 0, "no transfer overdraws")
                total += balance.minorUnits
            }
            #expect(total == 8 * 30_000 - Int64(done) * 200, "every kopeck is on a line or was a fee (\(done) done)")
            #expect(done > 10)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: PaymentsTestBed.Backend.all)
    func aTransferACrashInterruptedIsFinishedOnce(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let alice = try await bed.line("+79001234567", credit: "100.00")
            let bob = try await bed.line("+79001234568")
            // Recorded, then the process died before either ledger step.
            let stuck = try await bed.store.insertTransfer(
                NewTransfer(
                    sender: alice.id, senderMSISDN: alice.msisdn, recipient: bob.id, recipientMSISDN: bob.msisdn,
                    amount: rub(4_000), fee: rub(200),
                    day: LocalDate(bed.clock.now, in: .gmt), maxPerDay: rub(1_500_000)), at: bed.clock.now)
            #expect(try await bed.service.reconcile() == 0, "too fresh: its request may still be running")
            bed.clock.advance(by: .seconds(61))
            #expect(try await bed.service.reconcile() == 1)
            #expect(try await bed.service.reconcile() == 0)
            #expect(try await bed.balance(alice) == "58.00")
            #expect(try await bed.balance(bob) == "40.00")
            #expect(try await bed.service.transfers(of: alice.id).first { $0.id == stuck.id }?.status == .done)
            #expect(try await bed.check().isClean)
        }
    }
}

/// The directory as a request saw it a moment ago (every line active), while the lines' real status is read in the
/// transaction: a SIM blocked between the checks and the debit.
private struct StaleDirectory: SubscriberDirectory {
    let real: any SubscriberDirectory

    func line(msisdn: MSISDN) async throws -> Line? { try await real.line(msisdn: msisdn).map(Self.active) }
    func line(id: SubscriberID) async throws -> Line? { try await real.line(id: id).map(Self.active) }
    func status(of line: SubscriberID, in transaction: any WriteTransaction) async throws -> LineStatus? {
        try await real.status(of: line, in: transaction)
    }
    func lines(msisdns: [MSISDN]) async throws -> [MSISDN: Line] {
        try await real.lines(msisdns: msisdns).mapValues(Self.active)
    }
    func companies(of lines: [SubscriberID], in transaction: any WriteTransaction) async throws
        -> [SubscriberID: CompanyID]
    {
        try await real.companies(of: lines, in: transaction)
    }

    static func active(_ line: Line) -> Line {
        var line = line
        line.status = .active
        return line
    }
}

@Suite struct TransferStatusInTransactionTests {
    func rub(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: .rub) }

    /// The sender's and the recipient's status are read again in the debit's transaction: a line blocked (or a
    /// recipient terminated) after the request's checks moves nothing, and the transfer is refused, not left pending.
    @Test(arguments: PaymentsTestBed.Backend.all)
    func aLineBlockedAfterTheChecksMovesNothing(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let alice = try await bed.line("+79001234567", credit: "1000.00")
            let bob = try await bed.line("+79001234568")
            let stale = DefaultPaymentsService(
                store: bed.store, ledger: bed.ledger, lines: StaleDirectory(real: bed.directory),
                regions: bed.regions, gateways: [bed.sandbox], defaultGateway: "sandbox",
                limiter: InMemoryRateLimiter(), clock: bed.clock, logger: .test)
            _ = try await bed.lines.update(msisdn: alice.msisdn, with: LinePatch(status: .blocked))
            await #expect(throws: CabinetError(KernelError.lineBlocked, arguments: ["msisdn": alice.msisdn.formatted]))
            {
                try await stale.transfer(from: alice.id, to: bob.msisdn, amount: rub(10_000))
            }
            _ = try await bed.lines.update(msisdn: alice.msisdn, with: LinePatch(status: .active))
            _ = try await bed.lines.update(msisdn: bob.msisdn, with: LinePatch(status: .terminated))
            await #expect(throws: CabinetError.self) {
                try await stale.transfer(from: alice.id, to: bob.msisdn, amount: rub(10_000))
            }
            #expect(try await bed.balance(alice) == "1000.00")
            #expect(try await bed.balance(bob) == "0.00")
            let transfers = try await bed.service.transfers(of: alice.id)
            #expect(transfers.map(\.status) == [.refused, .refused], "refused, not left for reconciliation")
            #expect(try await bed.service.reconcile() == 0)
            #expect(try await bed.check().isClean)
        }
    }
}
