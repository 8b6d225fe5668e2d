import Billing
import CabinetCore
import CabinetHTTP
import Foundation

/// The spending pictures of the dashboard and the balance page: this month by kind as one split bar with its
/// legend, and the last six months as columns — SVG from the server, with the figures as their text alternative.
enum SpendingCharts {
    static func data(_ months: [MonthSpending], catalog: MessageCatalog, language: Language) -> [String: Any] {
        guard let current = months.last else { return [:] }
        let kinds = MonthSpending.Kind.allCases
        let parts = kinds.enumerated().map { index, kind in
            SVGChart.Part(
                label: catalog.text("web.spending.\(kind.rawValue)", in: language),
                value: current.amount(kind).minorUnits, text: current.amount(kind).displayString, colour: index)
        }
        let monthName = { (month: MonthSpending) in
            catalog.text("web.month.\(month.month.month)", in: language)
        }
        let columns = months.map { month in
            SVGChart.Part(
                label: monthName(month), value: month.total.minorUnits, text: month.total.displayString, colour: 0)
        }
        return [
            "spendingTotal": current.total.displayString,
            "spendingChart": SVGChart.stacked(
                id: "spending-month", parts: parts,
                title: catalog.text(
                    "web.spending.month", in: language,
                    arguments: ["month": monthName(current), "total": current.total.displayString])),
            "spendingLegend": parts.filter { $0.value > 0 }.map {
                ["colour": "k\($0.colour)", "label": $0.label, "amount": $0.text]
            },
            "monthsChart": SVGChart.columns(
                id: "spending-months", parts: columns,
                title: catalog.text("web.spending.months", in: language, arguments: ["count": String(months.count)])),
        ]
    }
}
