"""Horizontal bar charts drawn on the server as SVG (templates/includes/charts/bar_chart.html):
no script, no chart library, and they print.

A chart is a picture of numbers a page also gives in a table beside it, so a screen reader
reads the table; the picture says where to find it (its title and description). Each bar
carries its number in words on its own line (colour is never the only way to read it), and
may sit in a track drawn to its whole (seats taken in the seats there are). The chart knows
nothing of what it counts: callers give labels, values and words."""

from dataclasses import dataclass, field

# Heights and text in CSS pixels, lengths in per cent of the chart's width: the bars shrink
# with a narrow window and the words keep their size (a drawing scaled down whole would
# shrink its words below reading size on a phone).
FONT_SIZE = 16
GROUP_ROW = 34      # a group's heading line
BAR_ROW = 54        # one bar: its words on a line, the bar below
TEXT_BASELINE = 18  # from the top of a row to the baseline of its words
BAR_TOP = 24        # from the top of a row to the top of its bar
BAR_HEIGHT = 20
PADDING = 8
LEFT = 1    # per cent: where words and bars start
SPAN = 98   # per cent: the longest bar
# Colours on the chart's own white paper, whatever the admin's theme: the text #1a1a1a is
# 17:1, the bar #1d4f91 8.6:1 and the track's outline #595959 7:1 against white (WCAG 1.4.11
# asks 3:1 of the parts of a graphic one needs to read it; the text meets 1.4.3's 4.5:1).
PAPER = "#ffffff"
INK = "#1a1a1a"
BAR = "#1d4f91"
TRACK_FILL = "#ffffff"
TRACK_LINE = "#595959"
# A bar above zero is never drawn thinner than this (per cent), so "1" is seen next to "0".
MIN_BAR = 0.5


@dataclass(frozen=True)
class BarInput:
    label: str
    value: float
    words: str = ""             # how the number reads beside the label, e.g. "18 / 24"; else the value
    whole: float | None = None  # draws a track this long behind the bar (capacity, people enrolled)


@dataclass(frozen=True)
class GroupInput:
    label: str  # "" for a chart of one group without a heading
    bars: list[BarInput]


@dataclass(frozen=True)
class Bar:
    text: str
    text_y: int
    y: int
    width: float  # per cent of the chart's width
    track_width: float | None


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int | None
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    groups: list[Group]
    height: int = 0
    left: int = LEFT
    font_size: int = FONT_SIZE
    bar_height: int = BAR_HEIGHT
    colours: dict = field(default_factory=lambda: {
        "paper": PAPER, "ink": INK, "bar": BAR, "track_fill": TRACK_FILL, "track_line": TRACK_LINE})

    @property
    def empty(self) -> bool:
        return not any(group.bars for group in self.groups)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(round(value, 1))


def bar_chart(*, chart_id: str, title: str, description: str, groups: list[GroupInput]) -> BarChart:
    """Lay out the bars: one scale for the whole chart (the longest value or whole fills the
    width), a group's heading above its bars, each bar's words above the bar."""
    longest = max((max(bar.value, bar.whole or 0) for group in groups for bar in group.bars), default=0)

    def length(value: float) -> float:
        if not longest or value <= 0:
            return 0
        return round(max(SPAN * value / longest, MIN_BAR), 2)

    laid_out, top = [], PADDING
    for group in groups:
        label_y = None
        if group.label:
            label_y = top + TEXT_BASELINE
            top += GROUP_ROW
        bars = []
        for bar in group.bars:
            words = bar.words or _number(bar.value)
            bars.append(Bar(
                text=f"{bar.label} · {words}" if bar.label else words, text_y=top + TEXT_BASELINE, y=top + BAR_TOP,
                width=length(bar.value), track_width=None if bar.whole is None else max(length(bar.whole), MIN_BAR),
            ))
            top += BAR_ROW
        laid_out.append(Group(label=group.label, label_y=label_y, bars=bars))
    return BarChart(id=chart_id, title=title, description=description, groups=laid_out, height=top + PADDING)
