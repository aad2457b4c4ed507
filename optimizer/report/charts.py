"""Native Excel charts (openpyxl.chart) drawn from the MonthlyPlan sheet.

Charts reference the pivot rows written by :func:`optimizer.report.xlsx.write_monthly`, so
they stay live if a planner edits the numbers, and render in Excel and LibreOffice alike.
Series are named "<id> feed", "<id> capacity" … so a legend never shows the same name
twice; the names are chart text, never formulas or sheet names.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.layout import Layout, ManualLayout
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.report.monthly import PivotBlock
from optimizer.report.xlsx import clean_text

WIDTH_CM = 24.0
HEIGHT_CM = 10.0
ROWS_PER_CHART = 21  # a chart of HEIGHT_CM spans about 20 default rows
CHARTS_PER_PAGE = 2  # printed / PDF pages break between charts, never through one


def _series(plan: Worksheet, row: int, months: int, label: str) -> Series:
    values = Reference(plan, min_col=3, max_col=2 + months, min_row=row, max_row=row)
    series = Series(values)
    series.tx = SeriesLabel(v=clean_text(label))
    return series


def chart_title(text: str, size: int = 1200) -> Title:
    """A chart title in a readable size (the default is very large in LibreOffice)."""
    font = CharacterProperties(sz=size, b=True)
    para = Paragraph(pPr=ParagraphProperties(defRPr=font), r=[RegularTextRun(rPr=font, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


def _categories(plan: Worksheet, months: int) -> Reference:
    return Reference(plan, min_col=3, max_col=2 + months, min_row=1, max_row=1)


def style_axes(
    chart: BarChart | LineChart, x_title: str, y_title: str, y_format: str = "#,##0"
) -> None:
    """Visible axes (openpyxl 3.1 hides them by default), titles, legend below, report size."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.title = x_title
    chart.y_axis.title = y_title
    chart.y_axis.number_format = y_format
    chart.legend.position = "b"
    chart.width = WIDTH_CM
    chart.height = HEIGHT_CM


def _month_axes(chart: BarChart | LineChart, y_title: str, y_format: str = "#,##0") -> None:
    """Axes of a chart over the plan's months: month labels, room left for them."""
    style_axes(chart, "Month", y_title, y_format)
    chart.x_axis.number_format = "yyyy-mm"
    chart.layout = Layout(manualLayout=ManualLayout(x=0.02, y=0.08, w=0.96, h=0.72))


PALETTE = (
    "1F77B4",
    "FF7F0E",
    "2CA02C",
    "D62728",
    "9467BD",
    "8C564B",
    "E377C2",
    "7F7F7F",
    "BCBD22",
    "17BECF",
)
"""Line colours, one per series (a chart of many series never repeats one before ten)."""
DASHES = ("solid", "dash", "sysDot")  # after ten series the colours repeat with a new dash


def _line(series: Series, dashed: bool = False, n: int | None = None) -> Series:
    """A plain line; ``n``: the series' position, giving it its own colour (and dash)."""
    series.smooth = False
    series.marker.symbol = "none"
    series.graphicalProperties.line.width = 28575  # 2.25 pt
    if n is not None:
        series.graphicalProperties.line.solidFill = PALETTE[n % len(PALETTE)]
        dash = DASHES[(n // len(PALETTE)) % len(DASHES)]
        if dash != "solid":
            series.graphicalProperties.line.dashStyle = dash
    if dashed:
        series.graphicalProperties.line.dashStyle = "dash"
    return series


def _rows(
    rows: dict[tuple[str, str], int], block: PivotBlock, suffix: str = "", nonzero: bool = False
) -> list[tuple[int, str]]:
    """(Excel row, series label) of each id in ``block``; ``nonzero``: only ids with a
    non-zero value in some month (an always-zero line only hides the others)."""
    return [
        (rows[(block.title, name)], f"{name}{suffix}")
        for name, values in block.rows
        if not nonzero or any(abs(v) > 1e-9 for v in values if v == v)
    ]


def allocation_chart(
    plan: Worksheet, months: int, rows: list[tuple[int, str]], title: str
) -> BarChart:
    """Ore dispatched to each smelter per month, stacked."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 40
    chart.title = chart_title(title)
    for r, label in rows:
        chart.series.append(_series(plan, r, months, label))
    chart.set_categories(_categories(plan, months))
    _month_axes(chart, "t of ore")
    return chart


def utilization_chart(
    plan: Worksheet,
    months: int,
    feed_rows: list[tuple[int, str]],
    capacity_rows: list[tuple[int, str]],
) -> BarChart:
    """Feed per smelter (columns) against each smelter's capacity (dashed lines)."""
    bars = BarChart()
    bars.type = "col"
    bars.grouping = "clustered"
    bars.gapWidth = 60
    bars.title = chart_title("Smelter feed vs capacity (t/month)")
    for r, label in feed_rows:
        bars.series.append(_series(plan, r, months, label))
    bars.set_categories(_categories(plan, months))
    lines = LineChart()
    for n, (r, label) in enumerate(capacity_rows):
        lines.series.append(_line(_series(plan, r, months, label), dashed=True, n=n))
    lines.set_categories(_categories(plan, months))
    _month_axes(bars, "t of ore per month")
    bars += lines
    return bars


def line_chart(
    plan: Worksheet,
    months: int,
    rows: list[tuple[int, str]],
    title: str,
    y_title: str,
    y_format: str,
) -> LineChart:
    chart = LineChart()
    chart.title = chart_title(title)
    for n, (r, label) in enumerate(rows):
        chart.series.append(_line(_series(plan, r, months, label), n=n))
    chart.set_categories(_categories(plan, months))
    _month_axes(chart, y_title, y_format)
    return chart


def add_charts(
    sheet: Worksheet,
    plan: Worksheet,
    blocks: list[PivotBlock],
    rows: dict[tuple[str, str], int],
    months: int,
) -> int:
    """Place the report's charts on ``sheet``, one under another; returns how many."""
    by_title = {b.title: b for b in blocks}
    charts = []
    dispatched = by_title["Ore dispatched to each smelter"]
    charts.append(
        allocation_chart(
            plan,
            months,
            _rows(rows, dispatched),
            "Ore allocated to each smelter by dispatch month (t)",
        )
    )
    charts.append(
        utilization_chart(
            plan,
            months,
            _rows(rows, by_title["Ore fed to each smelter"], " feed"),
            _rows(rows, by_title["Smelter capacity"], " capacity"),
        )
    )
    stock_rows = _rows(
        rows, by_title["Source stockpile, end of month"], " stockpile", nonzero=True
    ) + _rows(rows, by_title["Smelter yard stock, end of month"], " yard", nonzero=True)
    charts.append(
        line_chart(
            plan,
            months,
            stock_rows,
            "Stocks at month end: source stockpiles and smelter yards (t)",
            "t of ore",
            "#,##0",
        )
    )
    grants = by_title.get("Grant money drawn, cumulative")
    if grants is not None and grants.rows:
        charts.append(
            line_chart(
                plan,
                months,
                _rows(rows, grants),
                "Grant money drawn, cumulative (USD)",
                "USD",
                "#,##0",
            )
        )
    place_charts(sheet, charts)
    return len(charts)


def place_charts(sheet: Worksheet, charts: list) -> None:
    """Stack ``charts`` down column A, with a page break after every CHARTS_PER_PAGE."""
    for i, chart in enumerate(charts):
        top = 2 + i * ROWS_PER_CHART
        sheet.add_chart(chart, f"A{top}")
        if i % CHARTS_PER_PAGE == CHARTS_PER_PAGE - 1 and i + 1 < len(charts):
            sheet.row_breaks.append(Break(id=top + ROWS_PER_CHART - 2))
