"""The unrolled-network diagram: one node per value, the current step highlighted, odd characters escaped."""
import re

from ui.diagram import HIGHLIGHT, unrolled_dot


def test_every_step_has_its_nodes_and_edges():
    dot = unrolled_dot("hell", "ello")
    for t in range(1, 5):
        assert f"x{t} -> h{t}" in dot and f"h{t} -> y{t}" in dot and f"h{t - 1} -> h{t}" in dot
    assert "x₃ = l" in dot and "target o" in dot
    assert HIGHLIGHT not in dot  # nothing highlighted without a current step


def test_current_step_is_the_only_highlighted_one():
    dot = unrolled_dot("hell", "ello", current=3)
    hot = [line for line in dot.splitlines() if HIGHLIGHT in line and "edge [" not in line]
    assert hot and all(re.search(r"\b[xhy]3\b", line) for line in hot)


def test_backward_edges_point_back_in_time():
    dot = unrolled_dot("hell", "ello", backward=True)
    assert "h4 -> h3" in dot and "h3 -> h4" not in dot


def test_quotes_spaces_and_backslashes_cannot_break_the_dot_source():
    dot = unrolled_dot('a "b\\', ' "b\\c')
    assert dot.count('"') % 2 == 0
    assert "␣" in dot
