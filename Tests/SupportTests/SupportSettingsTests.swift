import CabinetCore
import CabinetTesting
import Foundation
import Support
import Testing

@Suite struct SupportSettingsTests {
    @Test func readsContacts() throws {
        let yaml = """
            contacts:
              - {kind: short, number: "611", label: {ru: С мобильного, en: From a mobile}}
              - {kind: landline, number: "+7 495 979-76-11", label: {ru: Из любой сети, en: From any network}}
            email: help@example.com
            """ + Self.rest
        let (settings, problems) = SettingsProbe.read(SupportSettings.self, yaml: yaml)
        #expect(problems.isEmpty)
        #expect(settings?.contacts.map(\.number) == ["611", "+7 495 979-76-11"])
        #expect(settings?.tickets.category("payments")?.firstResponse == .seconds(4 * 3600))
        #expect(settings?.tickets.maxAttachmentBytes == 2048)
        #expect(settings?.cannedReplies.map(\.id) == ["hello"])
        #expect(settings?.compensationAgentLimit.amountString == "100.00")
    }

    /// The ticket keys every region needs besides its contacts.
    static let rest = """

        tickets:
          categories:
            - {id: payments, name: {ru: Платежи, en: Payments}, firstResponseHours: 4}
            - {id: other, name: {ru: Другое, en: Other}, firstResponseHours: 24}
          maxAttachments: 3
          maxAttachmentKB: 2
          reopenDays: 7
        cannedReplies:
          - {id: hello, title: {ru: Привет, en: Hello}, text: {ru: Здравствуйте, en: Hello}}
        compensation: {agentLimit: "100.00"}
        """

    @Test func ticketSettingsAreChecked() {
        let yaml = """
            contacts: []
            email: help@example.com
            tickets:
              categories:
                - {id: pay, name: {ru: А, en: A}, firstResponseHours: 0}
                - {id: pay, name: {ru: Б, en: B}, firstResponseHours: 4}
                - {id: "no way", name: {ru: В, en: C}, firstResponseHours: 4}
              maxAttachments: 11
              maxAttachmentKB: 2
              reopenDays: 7
            cannedReplies:
              - {id: a, title: {ru: А, en: A}, text: {ru: А, en: A}}
              - {id: a, title: {ru: А, en: A}, text: {ru: А, en: A}}
            compensation: {agentLimit: "-1.00"}
            """
        let problems = SettingsProbe.read(SupportSettings.self, yaml: yaml).problems
        #expect(
            problems.contains("section.tickets.categories[0].firstResponseHours: must be between 1 and 720, found 0"))
        #expect(problems.contains { $0.hasPrefix("section.tickets.categories[2].id:") })
        #expect(problems.contains("section.tickets.maxAttachments: must be between 0 and 10, found 11"))
        #expect(problems.contains("section.cannedReplies: the reply id \"a\" is used twice"))
        #expect(problems.contains { $0.hasPrefix("section.compensation.agentLimit:") })
    }

    @Test func numbersAndAddressesAreChecked() {
        let yaml = """
            contacts:
              - {kind: short, number: "61", label: {ru: А, en: A}}
              - {kind: landline, number: "979-76-11", label: {ru: Б, en: B}}
            email: help.example.com
            """ + Self.rest
        #expect(
            SettingsProbe.read(SupportSettings.self, yaml: yaml).problems == [
                "section.contacts[0].number: a short number has 3 or 4 digits",
                "section.contacts[1].number: write a full number such as +7 495 979-76-11",
                "section.email: \"help.example.com\" is not an e-mail address",
            ])
    }
}
