public import CabinetCore
import Foundation
import Logging
public import Tariffs

/// Billing implements tariff change for Tariffs' HTTP target: it knows periods, packages and money.
extension DefaultBillingService {
    public func preview(line access: LineAccess, to target: TariffID, timing: TariffChangeTiming) async throws
        -> TariffChangePreview
    {
        try access.require(.manageServices)
        return try await makePreview(access, to: target, timing: timing).preview
    }

    public func change(line access: LineAccess, to target: TariffID, timing: TariffChangeTiming) async throws
        -> (ServiceRequest, TariffChangePreview)
    {
        try access.require(.manageServices)
        let (preview, account, now) = try await makePreview(access, to: target, timing: timing)
        if let refusal = preview.refusal { throw refusal }
        let request = try await store.changeTariff(
            TariffChangeOrder(
                line: access.subscriberID, region: account.region, from: account.tariffID, to: target, timing: timing,
                effectiveAt: preview.effectiveAt, changeFee: preview.changeFee, newPeriod: nil, now: now))
        logger.info(
            "tariff changed",
            metadata: [
                "cabinet.subscriber": "\(access.subscriberID.rawValue)", "cabinet.from": "\(account.tariffID)",
                "cabinet.to": "\(target)",
                "cabinet.timing": "\(timing.rawValue)", "cabinet.request": "\(request.number)",
            ])
        return (request, preview)
    }

    private func makePreview(_ access: LineAccess, to targetID: TariffID, timing: TariffChangeTiming) async throws
        -> (preview: TariffChangePreview, account: BillingAccount, now: Date)
    {
        let now = clock.now
        guard let snapshot = try await store.snapshot(of: access.subscriberID, at: now),
            let calendar = rules.calendar(snapshot.account.region),
            let settings = rules.region(snapshot.account.region)?.settings(for: TariffsModule.self)
        else { throw CabinetError(BillingError.noAccount) }
        let account = snapshot.account
        guard let target = settings.tariff(targetID) else {
            let elsewhere = rules.regions.regions.contains {
                $0.settings(for: TariffsModule.self)?.tariff(targetID) != nil
            }
            throw CabinetError(
                elsewhere ? TariffsError.notInRegion : TariffsError.unknown,
                arguments: ["tariff": targetID.rawValue])
        }
        let current = rules.tariff(account.tariffID, in: account.region)
        var refusal: CabinetError?
        if target.status == .archived {
            refusal = CabinetError(TariffsError.archived, arguments: ["tariff": target.name.ru])
        } else if target.id == account.tariffID && snapshot.plannedTariff == nil {
            refusal = CabinetError(TariffsError.same, arguments: ["tariff": target.name.ru])
        } else if !target.allows(timing) {
            refusal = CabinetError(
                TariffsError.timingNotAllowed,
                arguments: ["tariff": target.name.ru, "timing": timing.rawValue])
        } else if let planned = snapshot.plannedTariff {
            refusal = CabinetError(TariffsError.changePending, arguments: ["tariff": planned.rawValue])
        }
        let currency = account.balance.currency
        let changeFee = settings.changeFee.currency == currency ? settings.changeFee : .zero(currency)
        let plan = timing == .immediately ? try rules.plan(tariff: target, region: account.region, from: now) : nil
        let feeNow = plan?.fee ?? .zero(currency)
        let chargeToday = try changeFee.adding(feeNow)
        let balanceAfter = try account.balance.subtracting(chargeToday)
        if refusal == nil, chargeToday.isPositive, try account.balance.isLess(than: chargeToday) {
            refusal = CabinetError(
                TariffsError.insufficientFunds,
                arguments: ["needed": chargeToday.displayString, "balance": account.balance.displayString])
        }
        let outcome: TariffChangePreview.PackageOutcome
        let firstRegularFee: LocalDate
        if let plan {
            let lost = snapshot.buckets.filter { $0.left > 0 }.map {
                TariffChangePreview.Remainder(unit: $0.unit, left: $0.left, total: $0.total)
            }
            outcome = .replacedNow(lost: lost)
            firstRegularFee = calendar.date(of: plan.period.end)
        } else {
            outcome = .keptUntil(account.period.end)
            firstRegularFee = calendar.date(of: account.period.end)
        }
        var preview = TariffChangePreview(
            current: current, target: target, timing: timing, effectiveAt: plan?.period.start ?? account.period.end,
            changeFee: changeFee,
            feeNow: feeNow, chargeToday: chargeToday, packageOutcome: outcome, firstRegularFeeOn: firstRegularFee,
            balance: account.balance, balanceAfter: balanceAfter, refusal: refusal)
        for optionRules in tariffOptionRules.all {
            preview.optionChanges += try await optionRules.optionChanges(
                line: access.subscriberID, region: account.region, from: account.tariffID, to: target.id)
        }
        return (preview, account, now)
    }
}
