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
            """
        let (settings, problems) = SettingsProbe.read(SupportSettings.self, yaml: yaml)
        #expect(problems.isEmpty)
        #expect(settings?.contacts.map(\.number) == ["611", "+7 495 979-76-11"])
    }

    @Test func numbersAndAddressesAreChecked() {
        let yaml = """
            contacts:
              - {kind: short, number: "61", label: {ru: А, en: A}}
              - {kind: landline, number: "979-76-11", label: {ru: Б, en: B}}
            email: help.example.com
            """
        #expect(
            SettingsProbe.read(SupportSettings.self, yaml: yaml).problems == [
                "section.contacts[0].number: a short number has 3 or 4 digits",
                "section.contacts[1].number: write a full number such as +7 495 979-76-11",
                "section.email: \"help.example.com\" is not an e-mail address",
            ])
    }
}
