public import CabinetCore
import CabinetTesting
public import Tariffs

/// A small catalogue with one tariff of every kind, for tests that must not change when an operator edits Regions/.
///
/// - `monthly`: 600.00 a month, 100 min / 10 SMS / 1 GB, rolls over, either timing (the default tariff)
/// - `premium`: 950.00 a month, 300 min / 50 SMS / 5 GB, no rollover, next period only
/// - `daily`: 25.00 a day, 10 min / 2 SMS / 200 MB, immediately only
/// - `payg`: no fee, no package, immediately only
/// - `old`: archived
public enum TariffsFixture {
    public static func yaml(currencySuffix: String = "") -> String {
        let c = currencySuffix.isEmpty ? "" : " " + currencySuffix
        return """
            changeFee: "0.00\(c)"
            defaultTariff: monthly
            catalog:
              - id: monthly
                name: {ru: "Месячный", en: "Monthly"}
                description: {ru: "Пакет на месяц", en: "A monthly package"}
                fee: {amount: "600.00\(c)", period: month}
                packages: {minutes: 100, sms: 10, megabytes: 1024}
                rollover: true
                prices: {onNetMinute: "0.00\(c)", offNetMinute: "2.00\(c)", intercityMinute: "3.00\(c)", sms: "2.50\(c)", megabyte: "0.35\(c)"}
                status: open
                change: either
              - id: premium
                name: {ru: "Премиум", en: "Premium"}
                description: {ru: "Большой пакет", en: "A big package"}
                fee: {amount: "950.00\(c)", period: month}
                packages: {minutes: 300, sms: 50, megabytes: 5120}
                rollover: false
                prices: {onNetMinute: "0.00\(c)", offNetMinute: "1.50\(c)", intercityMinute: "1.50\(c)", sms: "1.50\(c)", megabyte: "0.20\(c)"}
                status: open
                change: nextPeriod
                options: [roaming-ban]
              - id: daily
                name: {ru: "Посуточный", en: "Daily"}
                description: {ru: "Плата за сутки", en: "Paid by the day"}
                fee: {amount: "25.00\(c)", period: day}
                packages: {minutes: 10, sms: 2, megabytes: 200}
                rollover: false
                prices: {onNetMinute: "0.00\(c)", offNetMinute: "2.50\(c)", intercityMinute: "2.50\(c)", sms: "2.50\(c)", megabyte: "0.90\(c)"}
                status: open
                change: immediately
                options: [ya-na-svyazi]
              - id: payg
                name: {ru: "Без абонплаты", en: "Pay as you go"}
                description: {ru: "Только за использованное", en: "Only what you use"}
                fee: {amount: "0.00\(c)", period: month}
                packages: {minutes: 0, sms: 0, megabytes: 0}
                rollover: false
                prices: {onNetMinute: "1.50\(c)", offNetMinute: "2.50\(c)", intercityMinute: "3.00\(c)", sms: "2.50\(c)", megabyte: "8.00\(c)"}
                status: open
                change: immediately
              - id: old
                name: {ru: "Архивный", en: "Archived"}
                description: {ru: "Только у подключённых", en: "Kept by those who have it"}
                fee: {amount: "300.00\(c)", period: month}
                packages: {minutes: 400, sms: 100, megabytes: 10240}
                rollover: true
                prices: {onNetMinute: "0.00\(c)", offNetMinute: "1.90\(c)", intercityMinute: "1.90\(c)", sms: "1.90\(c)", megabyte: "0.60\(c)"}
                status: archived
                change: immediately
            """
    }

    /// The catalogue as settings (roubles, or tenge for a tenge region).
    public static func settings(currency: Currency = .rub) -> TariffsSettings? {
        SettingsProbe.read(
            TariffsSettings.self, yaml: yaml(currencySuffix: currency == .rub ? "" : currency.code), currency: currency
        )
        .settings
    }
}
