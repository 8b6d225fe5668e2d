import Billing
import CabinetCore
import CabinetTesting
import Foundation
import Payments
import PaymentsTesting
import Subscribers
import Testing

/// Paying for a number without a login: one answer for every number that cannot be paid for, and limits per client
/// address and per target number kept in the database (on every backend).
@Suite struct AnonymousTopUpTests {
    func start(_ bed: PaymentsTestBed, _ number: String, from address: String? = "203.0.113.7") async throws
        -> StartedTopUp
    {
        try await bed.service.startAnonymousTopUp(
            of: try MSISDN(parsing: number), amount: { Money(minorUnits: 10_000, currency: $0) }, method: .card,
            from: address, returnURL: { "http://127.0.0.1/pay/\($0)" })
    }

    func refusal(_ bed: PaymentsTestBed, _ number: String, from address: String = "203.0.113.7") async -> CabinetError?
    {
        do {
            _ = try await start(bed, number, from: address)
            return nil
        } catch let error as CabinetError {
            return error
        } catch {
            return CabinetError.internal("\(error)")
        }
    }

    /// A number nobody has and a terminated line get the same answer, so the form does not tell who is a subscriber.
    @Test(arguments: PaymentsTestBed.Backend.all)
    func unknownAndTerminatedNumbersAreAnsweredAlike(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let gone = try await bed.line("+79001234568")
            _ = try await bed.lines.update(msisdn: gone.msisdn, with: LinePatch(status: .terminated))
            let unknown = await refusal(bed, "+79009999999")
            let terminated = await refusal(bed, "+79001234568", from: "203.0.113.8")
            #expect(unknown?.fieldErrors.map(\.code) == [PaymentsError.lineUnknown])
            #expect(terminated?.fieldErrors.map(\.code) == [PaymentsError.lineUnknown])
            #expect(unknown?.kind == terminated?.kind)
            // A blocked SIM may still be topped up from outside.
            let blocked = try await bed.line("+79001234569")
            _ = try await bed.lines.update(msisdn: blocked.msisdn, with: LinePatch(status: .blocked))
            #expect(try await start(bed, "+79001234569", from: "203.0.113.9").payment.anonymous)
        }
    }

    /// The test region allows 3 payments per number and 5 per address in an hour; refusals say when to come back,
    /// refused attempts (also for numbers we do not serve) count, and the next hour starts afresh.
    @Test(arguments: PaymentsTestBed.Backend.all)
    func payingWithoutALoginIsLimitedPerNumberAndPerAddress(_ backend: PaymentsTestBed.Backend) async throws {
        try await PaymentsTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            _ = try await bed.line("+79001234568")
            for index in 1...3 {
                _ = try await start(bed, "+79001234567", from: "198.51.100.\(index)")
            }
            let perNumber = await refusal(bed, "+79001234567", from: "198.51.100.9")
            #expect(perNumber?.code == PaymentsError.tooMany)
            #expect((perNumber?.retryAfterSeconds ?? 0) > 3000)
            #expect(try await bed.requests(of: line, limit: 10).count == 3, "a refused start writes no request")

            // One address: two tries of numbers we do not serve, two payments, then the fifth attempt is the last.
            #expect(await refusal(bed, "+79005550001")?.fieldErrors.first?.code == PaymentsError.lineUnknown)
            #expect(await refusal(bed, "+79005550002")?.fieldErrors.first?.code == PaymentsError.lineUnknown)
            _ = try await start(bed, "+79001234568")
            _ = try await start(bed, "+79001234568")
            #expect(await refusal(bed, "+79005550003")?.fieldErrors.first?.code == PaymentsError.lineUnknown)
            #expect(await refusal(bed, "+79005550004")?.code == PaymentsError.tooMany)
            #expect(await refusal(bed, "+79001234568")?.code == PaymentsError.tooMany)
            // Another address may still pay for the second number.
            _ = try await start(bed, "+79001234568", from: "198.51.100.20")

            bed.clock.advance(by: .seconds(3601))
            _ = try await start(bed, "+79001234567")
            _ = try await start(bed, "+79001234568")
        }
    }
}
