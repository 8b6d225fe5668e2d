import Billing
import BillingTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Subscribers
import Tariffs
import Testing

/// What every ``BillingStore`` promises, checked on the SQL stores and the in-memory one alike, so domain tests on the
/// in-memory store mean what they mean on SQL: the ledger, the history's and the statement's paging, periods caught
/// up in bounded runs, statement orders under a lease, tariff changes refused under the line's lock.
@Suite struct BillingStoreContractTests {
    func posting(
        _ bed: BillingTestBed, _ line: Line, _ id: String, _ amount: Int64, kind: MovementKind? = nil,
        negative: Bool = false,
        at: Date? = nil, arguments: [String: String] = [:]
    ) -> LedgerPosting {
        LedgerPosting(
            externalID: id, kind: kind ?? (amount < 0 ? .optionFee : .topUp), line: line.id,
            amount: Money(minorUnits: amount, currency: .rub), counterparty: amount < 0 ? .revenue : .gateway,
            explanation: "billing.explain.adjustment", arguments: arguments, allowsNegativeBalance: negative,
            at: at ?? bed.clock.now)
    }

    func date(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }

    @Test(arguments: BillingTestBed.Backend.all)
    func postingsAreIdempotentAndPurchasesNeedFunds(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let store = bed.billingStore
            let line = try await bed.line("+79001234567", tariff: "payg")
            guard case .posted(let id, let balance) = try await store.post(posting(bed, line, "top-1", 10_000)) else {
                Issue.record("not posted")
                return
            }
            #expect(balance.amountString == "100.00")
            #expect(try await store.post(posting(bed, line, "top-1", 10_000)) == .duplicate(transactionID: id))
            #expect(try await store.post(posting(bed, line, "buy-1", -15_000)) == .insufficientFunds(balance: balance))
            guard
                case .posted(_, let after) = try await store.post(posting(bed, line, "fee-1", -15_000, negative: true))
            else {
                Issue.record("a fee may take the balance below zero")
                return
            }
            #expect(after.amountString == "-50.00")
            #expect(try await store.account(of: line.id)?.restricted == true)
            #expect(try await bed.queuedMessages(to: "+79001234567").map(\.purpose) == ["billing.lowBalance"])
            await #expect(throws: CabinetError.self, "a zero posting is refused") {
                try await store.post(posting(bed, line, "zero", 0))
            }
            let kzt = LedgerPosting(
                externalID: "kzt", kind: .topUp, line: line.id, amount: Money(minorUnits: 100, currency: .kzt),
                counterparty: .gateway, explanation: "x", allowsNegativeBalance: false, at: bed.clock.now)
            await #expect(throws: CabinetError.self, "a rouble line takes no tenge") { try await store.post(kzt) }
            await #expect(throws: CabinetError.self, "no account") {
                try await store.post(
                    LedgerPosting(
                        externalID: "nobody", kind: .topUp, line: SubscriberID(999),
                        amount: Money(minorUnits: 1, currency: .rub),
                        counterparty: .gateway, explanation: "x", allowsNegativeBalance: false, at: bed.clock.now))
            }

            // A promised payment: the credit from promisedCredit and its fee to revenue in one transaction; a credit back
            // to zero or above lifts the restriction.
            let promised = LedgerPosting(
                externalID: "promised-1", kind: .promisedPayment, line: line.id,
                amount: Money(minorUnits: 10_000, currency: .rub),
                counterparty: .promisedCredit, explanation: "billing.explain.promised", allowsNegativeBalance: false,
                at: bed.clock.now,
                extraLegs: [LedgerLeg(amount: Money(minorUnits: -500, currency: .rub), counterparty: .revenue)])
            guard case .posted(let promisedID, let lifted) = try await store.post(promised) else {
                Issue.record("not posted")
                return
            }
            #expect(lifted.amountString == "45.00")
            #expect(try await store.account(of: line.id)?.restricted == false)
            let movement = try #require(try await store.movements(of: line.id, query: MovementQuery(limit: 1)).first)
            #expect(
                movement.transactionID == promisedID && movement.amount.amountString == "95.00"
                    && movement.kind == .promisedPayment)

            let report = try await bed.check()
            #expect(report.isClean, "\(report)")
            #expect(report.accounts == 13, "six system accounts in each of two currencies, and the line")
            #expect(report.transactions == 3 && report.entries == 7)
        }
    }

    /// The explanation's arguments come back as they were given, whatever they hold.
    @Test(arguments: BillingTestBed.Backend.all)
    func explanationArgumentsComeBackAsTheyWereGiven(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg")
            let arguments = [
                "card": "•••• 4242", "quote": #"say "hi" \ back/slash"#, "lines": "a\nb\tc\u{1}d", "Пополнение": "₽ ₸",
                "": "",
            ]
            _ = try await bed.billingStore.post(posting(bed, line, "args-1", 100, arguments: arguments))
            let movement = try await bed.billingStore.movements(of: line.id, query: MovementQuery()).first
            #expect(movement?.arguments == arguments)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func concurrentPurchasesNeverOverdraw(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "payg", credit: "100.00")
            let results = try await withThrowingTaskGroup(of: PostingResult.self) { group in
                for index in 0..<30 {
                    group.addTask { try await bed.billingStore.post(posting(bed, line, "buy-\(index)", -1_000)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { if case .posted = $0 { true } else { false } }.count == 10)
            #expect(try await bed.balance(line) == "0.00")
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func theHistoryPagesNewestFirstAndFilters(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let store = bed.billingStore
            let line = try await bed.line("+79001234567", tariff: "payg")
            let start = bed.clock.now
            _ = try await store.post(posting(bed, line, "a", 10_000, at: start))
            _ = try await store.post(posting(bed, line, "b", -1_000, at: start.addingTimeInterval(3600)))
            _ = try await store.post(posting(bed, line, "c", 500, at: start.addingTimeInterval(7200.0004)))
            _ = try await store.post(
                posting(bed, line, "d", -100, kind: .transfer, at: start.addingTimeInterval(10_800)))

            let first = try await store.movements(of: line.id, query: MovementQuery(limit: 2))
            #expect(first.map(\.externalID) == ["d", "c"])
            #expect(first.map(\.balanceAfter.amountString) == ["94.00", "95.00"])
            #expect(first.last?.at == start.addingTimeInterval(7200), "instants are kept to the millisecond")
            let second = try await store.movements(
                of: line.id, query: MovementQuery(before: first.last?.entryID, limit: 2))
            #expect(second.map(\.externalID) == ["b", "a"])
            #expect(try await store.movements(of: line.id, query: MovementQuery(before: second.last?.entryID)).isEmpty)
            let span = try await store.movements(
                of: line.id,
                query: MovementQuery(
                    from: start.addingTimeInterval(3600),
                    to: start.addingTimeInterval(10_800)))
            #expect(span.map(\.externalID) == ["c", "b"], "from is inclusive, to exclusive")
            #expect(
                try await store.movements(of: line.id, query: MovementQuery(kinds: [.topUp, .transfer])).map(
                    \.externalID)
                    == ["d", "c", "a"])
            #expect(try await store.movements(of: line.id, query: MovementQuery(limit: 0)).count == 1, "at least one")
            #expect(try await store.movements(of: SubscriberID(999), query: MovementQuery()).isEmpty)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func ratedEventsPageByTimeAndEventIDAndTotalsCoverTheSpan(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let store = bed.billingStore
            let line = try await bed.line("+79001234567", tariff: "payg", credit: "100.00")
            bed.clock.advance(by: .seconds(3600))
            let now = bed.clock.now
            let report = try await bed.service.ingest([
                bed.sms(line, "b"), bed.sms(line, "a"), bed.sms(line, "f", at: now.addingTimeInterval(0.0005)),
                bed.sms(line, "c", at: now.addingTimeInterval(1)),
                bed.call(line, "d", seconds: 61, at: now.addingTimeInterval(2)),
                bed.data(line, "e", megabytes: 1, at: now.addingTimeInterval(-60)),
            ])
            #expect(report.rated == 6)
            let day = UsageQuery(from: now.addingTimeInterval(-7200), to: now.addingTimeInterval(7200))
            var query = day
            query.limit = 3
            let page = try await store.ratedEvents(of: line.id, query: query)
            #expect(page.map(\.eventID) == ["e", "a", "b"])
            #expect(page.map(\.occurredAt) == [now.addingTimeInterval(-60), now, now])
            query.after = page.last.map { UsageCursor(occurredAt: $0.occurredAt, eventID: $0.eventID) }
            #expect(
                try await store.ratedEvents(of: line.id, query: query).map(\.eventID) == ["f", "c", "d"],
                "an event within the same millisecond sorts by its id")
            var sms = day
            sms.kinds = [.sms]
            #expect(try await store.ratedEvents(of: line.id, query: sms).map(\.eventID) == ["a", "b", "f", "c"])
            let totals = try await store.usageTotals(of: line.id, query: day)
            #expect(totals.map(\.kind) == [.call, .data, .sms])
            #expect(totals.map(\.events) == [1, 1, 4])
            #expect(totals.map(\.units) == [120, 1024, 4])
            #expect(totals.map(\.charged.amountString) == ["5.00", "8.00", "10.00"])
            let second = UsageQuery(from: now.addingTimeInterval(1), to: now.addingTimeInterval(2))
            #expect(try await store.usageTotals(of: line.id, query: second).map(\.events) == [1], "to is exclusive")
            #expect(try await bed.balance(line) == "77.00")
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func dueFeesCatchUpInBoundedRunsAndChargeEachPeriodOnce(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let store = bed.billingStore
            let line = try await bed.line("+79001234567", tariff: "daily", credit: "1000.00")
            #expect(try await bed.balance(line) == "987.50", "half a day at 25.00")
            let opened = try #require(try await store.account(of: line.id)?.period)
            bed.clock.advance(by: .seconds(100 * 86_400))
            #expect(try await store.openDuePeriods(now: bed.clock.now, limit: 10) == 1)
            let caught = try #require(try await store.account(of: line.id)?.period)
            #expect(caught.start == opened.end.addingTimeInterval(Double(BillingRules.maxPeriodsPerRun - 1) * 86_400))
            #expect(try await store.openDuePeriods(now: bed.clock.now, limit: 10) == 1)
            #expect(try await store.openDuePeriods(now: bed.clock.now, limit: 10) == 0)
            #expect(try await bed.balance(line) == "-1512.50", "100 more days at 25.00")
            let fees = try await store.movements(of: line.id, query: MovementQuery(kinds: [.fee], limit: 500))
            #expect(fees.count == 101 && Set(fees.map(\.externalID)).count == 101)
            #expect(fees.first?.arguments["from"] == "2027-02-18" && fees.first?.arguments["to"] == "2027-02-18")
            #expect(try await bed.remainders(line)[.sms]?.total == 2, "today's package only")
            #expect(
                try await bed.queuedMessages(to: "+79001234567").filter { $0.purpose == "billing.lowBalance" }.count
                    == 1)
            #expect(try await bed.check().isClean)
        }
    }

    /// `dailyFeesWhileRestricted`: Moscow charges a daily tariff's fee into debt; Almaty (`skip`) charges no day that
    /// falls due below zero and grants no package for it, and charges again from the day after a top-up.
    @Test(arguments: BillingTestBed.Backend.all)
    func restrictedDaysAreChargedOrSkippedAsTheRegionSays(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let store = bed.billingStore
            let moscow = try await bed.line("+79001234567", tariff: "daily", credit: "60.00")
            let almaty = try await bed.line("+77011234567", region: "almaty", tariff: "daily", credit: "60.00")
            // Moscow noon, Almaty 14:00: the rest of today costs 12.50 and 10.42.
            var seen: [String] = []
            for _ in 1...5 {
                bed.clock.advance(by: .seconds(86_400))
                _ = try await store.openDuePeriods(now: bed.clock.now, limit: 10)
                seen.append("\(try await bed.balance(moscow)) \(try await bed.balance(almaty))")
            }
            #expect(
                seen == [
                    "22.50 24.58", "-2.50 -0.42", "-27.50 -0.42", "-52.50 -0.42", "-77.50 -0.42",
                ])
            #expect(try await bed.remainders(almaty)[.sms] == nil, "a skipped day grants no package")
            #expect(try await bed.remainders(moscow)[.sms]?.total == 2)
            _ = try await bed.topUp(almaty, "50.00", id: "almaty-top-up")
            bed.clock.advance(by: .seconds(86_400))
            _ = try await store.openDuePeriods(now: bed.clock.now, limit: 10)
            #expect(try await bed.balance(almaty) == "24.58", "charged again the day after the top-up")
            #expect(try await bed.remainders(almaty)[.sms]?.total == 2)
            let fees = try await store.movements(of: almaty.id, query: MovementQuery(kinds: [.fee], limit: 50))
            #expect(fees.count == 4, "the first part-day, two days, and the day after the top-up")
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func anAccountOpensOnceOnTheTariffTheLineWasGiven(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.lines.provision(
                NewLine(
                    msisdn: try #require(MSISDN(e164: "+79001234567")), region: try #require(RegionID(rawValue: "msk")),
                    status: .active,
                    owner: OwnerProfile(fullName: "Петров Пётр")))
            let daily = try #require(TariffID(rawValue: "daily"))
            try await bed.lineTariffs.assignInitial(daily, to: line.id, region: line.region, at: bed.clock.now)
            let account = try await bed.service.openAccount(for: line, tariff: TariffID(rawValue: "monthly"), from: nil)
            #expect(account.tariffID == daily && account.balance.amountString == "-12.50")
            let again = try await bed.service.openAccount(for: line, tariff: TariffID(rawValue: "payg"), from: nil)
            #expect(again == account)
            await #expect(throws: CabinetError.self) {
                try await bed.lineTariffs.assignInitial(daily, to: line.id, region: line.region, at: bed.clock.now)
            }
            #expect(try await bed.lineTariffs.history(of: line.id).map(\.tariffID) == [daily])
            #expect(try await bed.billingStore.snapshot(of: SubscriberID(999), at: bed.clock.now) == nil)
            await #expect(throws: CabinetError.self) { try await bed.billingStore.balance(of: SubscriberID(999)) }
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func tariffChangesAreRefusedUnderTheLinesLock(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend) { bed in
            let store = bed.billingStore
            let line = try await bed.line("+79001234567", credit: "1000.00")
            let account = try #require(try await store.account(of: line.id))
            func order(from: String, to: String, timing: TariffChangeTiming, fee: Int64 = 0) throws -> TariffChangeOrder
            {
                TariffChangeOrder(
                    line: line.id, region: line.region, from: try #require(TariffID(rawValue: from)),
                    to: try #require(TariffID(rawValue: to)), timing: timing, effectiveAt: account.period.end,
                    changeFee: Money(minorUnits: fee, currency: .rub), newPeriod: nil, now: bed.clock.now)
            }
            func code(_ order: TariffChangeOrder) async -> ErrorCode? {
                do {
                    _ = try await store.changeTariff(order)
                    return nil
                } catch {
                    return (error as? CabinetError)?.code
                }
            }
            #expect(
                await code(try order(from: "payg", to: "premium", timing: .nextPeriod)) == TariffsError.changedMeanwhile
            )
            #expect(
                await code(try order(from: "monthly", to: "elsewhere", timing: .nextPeriod)) == TariffsError.notInRegion
            )
            #expect(
                await code(try order(from: "monthly", to: "daily", timing: .immediately, fee: 60_000))
                    == TariffsError.insufficientFunds)
            let request = try await store.changeTariff(
                try order(from: "monthly", to: "premium", timing: .nextPeriod, fee: 1_000))
            #expect(request.status == .pending && request.detail == "monthly→premium")
            #expect(try await bed.requests.request(request.id) == request)
            #expect(
                await code(try order(from: "monthly", to: "daily", timing: .immediately)) == TariffsError.changePending)
            #expect(try await store.snapshot(of: line.id, at: bed.clock.now)?.plannedTariff?.rawValue == "premium")
            #expect(try await bed.balance(line) == "580.00", "590.00 less the change fee")
            let spans = try await bed.lineTariffs.history(of: line.id)
            #expect(spans.map(\.tariffID.rawValue) == ["premium", "monthly"])
            #expect(spans.first?.since == account.period.end && spans.last?.until == account.period.end)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: BillingTestBed.Backend.all)
    func statementOrdersAreClaimedUnderALeaseAndCompletedOrRefundedOnce(_ backend: BillingTestBed.Backend) async throws
    {
        try await BillingTestBed.with(backend) { bed in
            let store = bed.billingStore
            let line = try await bed.line("+79001234567", tariff: "payg", credit: "100.00")
            let price = Money(minorUnits: 3_000, currency: .rub)
            func order(_ price: Money) throws -> StatementOrder {
                StatementOrder(
                    line: line.id, from: try date("2026-11-01"), to: try date("2026-11-10"), email: "owner@example.com",
                    language: .en, price: price, now: bed.clock.now)
            }
            let failing = try await store.orderStatement(try order(price))
            #expect(failing.status == .processing && failing.detail == "2026-11-01…2026-11-10")
            #expect(try await bed.balance(line) == "70.00")

            let claimed = try await store.claimStatements(now: bed.clock.now, lease: 300, limit: 10)
            #expect(
                claimed.map(\.requestID) == [failing.id] && claimed.first?.attempts == 1
                    && claimed.first?.price == price)
            #expect(claimed.first?.account.subscriberID == line.id && claimed.first?.language == .en)
            #expect(
                try await store.claimStatements(now: bed.clock.now.addingTimeInterval(299), lease: 300, limit: 10)
                    .isEmpty, "leased")
            let retried = try await store.claimStatements(
                now: bed.clock.now.addingTimeInterval(300), lease: 300, limit: 10)
            #expect(retried.map(\.attempts) == [2])
            let id = try #require(retried.first?.id)
            try await store.failStatement(id, reason: "billing.statement.failed", now: bed.clock.now)
            try await store.failStatement(id, reason: "again", now: bed.clock.now)
            try await store.completeStatement(
                id, mail: StatementMail(subject: "s", body: "b", attachments: []), now: bed.clock.now)
            #expect(try await bed.balance(line) == "100.00", "refunded once")
            #expect(try await bed.requests.request(failing.id)?.status == .failed)
            #expect(try await bed.requests.request(failing.id)?.detail == "billing.statement.failed")
            #expect(try await bed.queuedMessages(to: "owner@example.com").isEmpty)

            let sent = try await store.orderStatement(try order(price))
            let free = try await store.orderStatement(try order(.zero(.rub)))
            let both = try await store.claimStatements(now: bed.clock.now.addingTimeInterval(900), lease: 300, limit: 1)
            #expect(both.map(\.requestID) == [sent.id], "oldest first, up to the limit")
            let mail = StatementMail(
                subject: "Statement", body: "Attached",
                attachments: [StatementFile(fileName: "s.csv", contentType: "text/csv", data: Data("x".utf8))])
            try await store.completeStatement(try #require(both.first?.id), mail: mail, now: bed.clock.now)
            try await store.completeStatement(try #require(both.first?.id), mail: mail, now: bed.clock.now)
            #expect(try await bed.requests.request(sent.id)?.status == .done)
            #expect(try await bed.queuedMessages(to: "owner@example.com").map(\.subject) == ["Statement"])
            #expect(try await bed.deliverMail().map { $0.attachments.map(\.fileName) } == [["s.csv"]])
            #expect(try await bed.deliverMail().isEmpty, "delivered once")

            let later = bed.clock.now.addingTimeInterval(900)
            let freeOrder = try #require(try await store.claimStatements(now: later, lease: 300, limit: 10).first)
            #expect(freeOrder.requestID == free.id)
            try await store.failStatement(freeOrder.id, reason: "x", now: bed.clock.now)
            #expect(
                try await store.movements(of: line.id, query: MovementQuery(kinds: [.statement, .refund])).map(
                    \.externalID)
                    == ["statement:\(sent.id)", "statement-refund:\(failing.id)", "statement:\(failing.id)"],
                "a free statement moves no money")
            #expect(
                try await bed.requests.requests(of: line.id, before: nil, limit: 2).map(\.id) == [free.id, sent.id])
            #expect(try await bed.balance(line) == "70.00")
            #expect(try await bed.check().isClean)
        }
    }
}
