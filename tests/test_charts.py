"""Server-drawn line charts: every coordinate worked out in Python, the template only writes them out."""

import datetime

import pytest

from tracker.charts import BOTTOM, HEIGHT, LEFT, MAX_X_LABELS, RIGHT, TOP, WIDTH, line_chart, nice_ceiling
from tracker.trends import MonthCounts, trend_chart

D = datetime.date


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (10, 10), (11, 20), (48, 50), (51, 100), (999, 1000)],
)
def test_the_count_axis_ends_at_a_round_number_at_or_above_the_largest_count(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_points_run_from_the_left_edge_to_the_right_and_from_zero_at_the_bottom_to_the_top_count():
    chart = line_chart(["a", "b", "c"], [("Open", "open", [0, 5, 10])], ["A", "B", "C"])
    (line,) = chart.lines
    assert [(p.x, p.y) for p in line.points] == [
        (LEFT, HEIGHT - BOTTOM),
        (LEFT + (WIDTH - LEFT - RIGHT) / 2, TOP + (HEIGHT - TOP - BOTTOM) / 2),
        (WIDTH - RIGHT, TOP),
    ]
    assert line.path == "52,256 378,134 704,12"  # as an SVG polyline's points


def test_each_point_says_what_it_counts_when_hovered():
    chart = line_chart(["Jan", "Today"], [("Overdue", "overdue", [3, 1])], ["January 2026", "2 February 2026 (today)"])
    assert [p.title for p in chart.lines[0].points] == ["January 2026: 3 overdue", "2 February 2026 (today): 1 overdue"]


def test_the_count_axis_has_five_steps_of_round_numbers():
    chart = line_chart(["a", "b"], [("Open", "open", [0, 180])], ["A", "B"])
    assert [t.label for t in chart.y_ticks] == ["0", "40", "80", "120", "160", "200"]
    assert chart.y_ticks[0].position == HEIGHT - BOTTOM and chart.y_ticks[-1].position == TOP


def test_small_counts_step_by_one():
    chart = line_chart(["a", "b"], [("Open", "open", [0, 2])], ["A", "B"])
    assert [t.label for t in chart.y_ticks] == ["0", "1", "2"]


@pytest.mark.parametrize("months", [1, 2, 8, 9, 24, 120])
def test_month_labels_are_few_enough_to_read_and_end_on_today(months):
    labels = [f"m{k}" for k in range(months - 1)] + ["Today"]
    chart = line_chart(labels, [("Open", "open", [1] * months)], labels)
    assert len(chart.x_ticks) <= MAX_X_LABELS
    assert chart.x_ticks[-1].label == "Today"
    assert [t.position for t in chart.x_ticks] == sorted(t.position for t in chart.x_ticks)


def test_a_single_month_is_drawn_in_the_middle():
    chart = line_chart(["Today"], [("Open", "open", [4])], ["today"])
    assert chart.lines[0].points[0].x == LEFT + (WIDTH - LEFT - RIGHT) / 2


def test_nothing_to_count_draws_flat_lines_on_zero():
    chart = line_chart(["a", "b"], [("Open", "open", [0, 0])], ["A", "B"])
    assert {p.y for p in chart.lines[0].points} == {HEIGHT - BOTTOM}


def test_the_trend_chart_draws_open_overdue_and_completed_by_month_ending_today():
    series = [
        MonthCounts(D(2026, 10, 31), 5, 1, 2),
        MonthCounts(D(2026, 11, 30), 4, 2, 3),
        MonthCounts(D(2026, 12, 1), 4, 2, 4),
    ]
    chart = trend_chart(series)
    assert [(line.name, line.key) for line in chart.lines] == [
        ("Open", "open"),
        ("Overdue", "overdue"),
        ("Completed", "completed"),
    ]
    assert [t.label for t in chart.x_ticks] == ["Oct 2026", "Nov 2026", "Today"]
    assert chart.lines[2].points[-1].title == "1 December 2026 (today): 4 completed"
    assert chart.lines[0].points[0].title == "October 2026: 5 open"
