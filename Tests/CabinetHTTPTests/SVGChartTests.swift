import CabinetHTTP
import Testing

/// Charts as the pages embed them: geometry from whole numbers, escaped text, the figures in the text alternative.
@Suite struct SVGChartTests {
    @Test func aMeterIsFilledToItsShare() {
        let svg = SVGChart.meter(id: "m", value: 50, total: 200, title: "SMS: 50 <of> 200")
        #expect(svg.contains(#"<rect class="fill" x="0" y="0" width="75""#))
        #expect(svg.contains("SMS: 50 &lt;of&gt; 200"))
        #expect(svg.contains(#"aria-labelledby="m-t""#))
        // Nothing left, more than the total, no total: never outside the track.
        #expect(
            SVGChart.meter(id: "m", value: 0, total: 10, title: "").contains(#"class="fill" x="0" y="0" width="0""#))
        #expect(
            SVGChart.meter(id: "m", value: 99, total: 10, title: "").contains(#"class="fill" x="0" y="0" width="300""#))
        #expect(SVGChart.meter(id: "m", value: 5, total: 0, title: "").contains(#"class="fill" x="0" y="0" width="0""#))
    }

    @Test func aSplitBarFillsItsWidthAndSaysItsFigures() {
        let parts = [
            SVGChart.Part(label: "Fees", value: 60_000, text: "600,00 ₽", colour: 0),
            SVGChart.Part(label: "Calls", value: 0, text: "0,00 ₽", colour: 1),
            SVGChart.Part(label: "SMS", value: 750, text: "7,50 ₽", colour: 2),
        ]
        let svg = SVGChart.stacked(id: "s", parts: parts, title: "November")
        #expect(svg.contains(#"<rect class="k0" x="0" y="0" width="296""#))
        #expect(svg.contains(#"<rect class="k2" x="296" y="0" width="4""#))
        #expect(!svg.contains(#"class="k1""#))
        #expect(svg.contains("<desc id=\"s-d\">Fees: 600,00 ₽; Calls: 0,00 ₽; SMS: 7,50 ₽</desc>"))
        #expect(SVGChart.stacked(id: "e", parts: [], title: "").contains(#"class="track""#))
    }

    @Test func columnsAreScaledToTheHighest() {
        let parts = [
            SVGChart.Part(label: "окт", value: 0, text: "0,00 ₽", colour: 0),
            SVGChart.Part(label: "ноя", value: 41_750, text: "417,50 ₽", colour: 0),
        ]
        let svg = SVGChart.columns(id: "c", parts: parts, title: "Months")
        // 150 high, 20 over and 22 under the columns: the highest is 108 tall.
        #expect(svg.contains(#"height="108""#))
        #expect(svg.contains(">417 ₽</text>"))
        #expect(svg.contains("ноя: 417,50 ₽"))
    }
}
