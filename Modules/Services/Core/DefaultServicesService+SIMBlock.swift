import Billing
public import CabinetCore
public import Foundation
import Logging
import Subscribers
import Support

extension DefaultServicesService {
    public func simBlock(for line: LineAccess) async throws -> SIMBlockView {
        let policy = try settings(line.region).simBlock
        let current = try await lines.line(id: line.subscriberID)
        let status = current?.status ?? .terminated
        let since = status == .blocked ? try await store.lastBlock(of: line.subscriberID) : nil
        let support = regions.region(line.region)?.settings(for: SupportModule.self)
        return SIMBlockView(
            status: status, blockedSince: since, policy: policy,
            contacts: support?.contacts.map { (number: $0.number, label: $0.label) } ?? [], email: support?.email)
    }

    public func blockSIM(for line: LineAccess, language: Language) async throws -> ServiceRequest {
        // A delegate needs the right to manage services; the line itself and a linked number have every right.
        try line.require(.manageServices)
        let channel =
            switch line.relation {
            case .own: "session"
            case .linked: "linked"
            case .delegated: "delegate"
            }
        return try await block(line.subscriberID, channel: channel, language: language)
    }

    public func blockSIM(msisdn: MSISDN, puk code: String, clientAddress: String?, language: Language) async throws
        -> ServiceRequest
    {
        guard let puk else { throw CabinetError.internal("the PUK check is not wired") }
        let line = try await puk.confirmPUK(code, of: msisdn, clientAddress: clientAddress)
        return try await block(line, channel: "puk", language: language)
    }

    public func requestBlockCode(msisdn: MSISDN, contact: MSISDN, clientAddress: String?, language: Language)
        async throws -> Date
    {
        guard let contactCodes else { throw CabinetError.internal("the contact-number check is not wired") }
        return try await contactCodes.sendBlockCode(
            for: msisdn, to: contact, clientAddress: clientAddress, language: language)
    }

    public func blockSIM(msisdn: MSISDN, contact: MSISDN, code: String, clientAddress: String?, language: Language)
        async throws -> ServiceRequest
    {
        guard let contactCodes else { throw CabinetError.internal("the contact-number check is not wired") }
        let line = try await contactCodes.confirmBlockCode(
            code, for: msisdn, contact: contact, clientAddress: clientAddress)
        return try await block(line, channel: "contact", language: language)
    }

    public func operatorUnblock(msisdn: MSISDN, reason: String) async throws -> ServiceRequest {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 500 else {
            throw CabinetError.validation([FieldError(field: "reason", code: ServicesError.unblockReason)])
        }
        guard let registry else { throw CabinetError.internal("the line registry is not wired") }
        guard let line = try await lines.line(msisdn: msisdn) else {
            throw CabinetError(SubscribersError.notFound, arguments: ["msisdn": msisdn.formatted])
        }
        guard line.status == .blocked,
            try await registry.changeStatus(of: msisdn, to: .active, from: [.blocked]) != nil
        else {
            throw CabinetError(ServicesError.notBlocked, arguments: ["msisdn": msisdn.formatted])
        }
        let now = clock.now
        let request = try await store.recordUnblock(
            of: line.id, reason: reason,
            notices: notices(for: line, key: "services.notice.simUnblocked", language: .ru, at: now), at: now)
        logger.notice(
            "SIM unblocked by the operator",
            metadata: ["cabinet.subscriber": "\(line.id.rawValue)", "cabinet.request": "\(request.number)"])
        return request
    }

    /// Sets the status first (the protective step), then records the request, the fee and the notices: a failure
    /// between the two leaves a blocked line without its record, never a record of a block that did not happen.
    func block(_ id: SubscriberID, channel: String, language: Language) async throws -> ServiceRequest {
        guard let registry else { throw CabinetError.internal("the line registry is not wired") }
        guard let line = try await lines.line(id: id) else {
            throw CabinetError(SubscribersError.notFound, arguments: ["msisdn": "\(id.rawValue)"])
        }
        switch line.status {
        case .blocked:
            throw CabinetError(ServicesError.alreadyBlocked, arguments: ["msisdn": line.msisdn.formatted])
        case .terminated:
            throw CabinetError(KernelError.lineBlocked, arguments: ["msisdn": line.msisdn.formatted])
        case .active, .suspended:
            break
        }
        let policy = try settings(line.region).simBlock
        let now = clock.now
        // From the status just read only: blocked (or ended) meanwhile by someone else is not blocked twice.
        guard try await registry.changeStatus(of: line.msisdn, to: .blocked, from: [.active, .suspended]) != nil else {
            throw CabinetError(ServicesError.alreadyBlocked, arguments: ["msisdn": line.msisdn.formatted])
        }
        // A block supersedes a holiday suspension: its fee stops (the block's own takes over after the free days),
        // and a planned one is cancelled; unblocking then brings the line back to active.
        if let open = try await store.openSuspension(of: line.id) {
            _ = try await store.endSuspension(open.id, of: line.id, detail: "blocked", at: now)
        }
        let freeUntil = now.addingTimeInterval(TimeInterval(policy.freeDays) * 86_400)
        let recurring =
            policy.dailyFee.isPositive
            ? RecurringCharge(
                key: SIMBlockOrder.recurringKey(line: line.id), line: line.id, region: line.region,
                fee: RecurringFee(amount: policy.dailyFee, period: .day), kind: .optionFee,
                explanation: "services.explain.simBlockFee", arguments: [:], whileInactive: true) : nil
        let request = try await store.recordBlock(
            SIMBlockOrder(
                line: line.id, channel: channel, recurring: recurring, freeUntil: freeUntil,
                notices: notices(for: line, key: "services.notice.simBlocked", language: language, at: now), at: now))
        logger.notice(
            "SIM blocked",
            metadata: [
                "cabinet.subscriber": "\(line.id.rawValue)", "cabinet.request": "\(request.number)",
                "cabinet.channel": "\(channel)",
            ])
        return request
    }

    /// The owner's contact number (not the lost SIM itself) and e-mail, each told once.
    func notices(for line: Line, key: String, language: Language, at: Date) -> [SIMBlockOrder.Notice] {
        let zone = regions.region(line.region)?.timeZone ?? TimeZone(identifier: "Europe/Moscow") ?? .current
        let arguments = ["msisdn": line.msisdn.formatted, "date": LocalDate(at, in: zone).description]
        let text = texts.text(key, in: language, arguments: arguments)
        var notices: [SIMBlockOrder.Notice] = []
        if let contact = line.owner.contactNumber, contact != line.msisdn {
            notices.append(.sms(to: contact, text: text))
        }
        if let email = line.owner.email, !email.isEmpty {
            notices.append(
                .mail(to: email, subject: texts.text(key + ".subject", in: language, arguments: arguments), text: text))
        }
        return notices
    }
}
