"""The unrolled-network diagram: one node per value, the current step highlighted, odd characters escaped."""
import re

from ui.diagram import HIGHLIGHT, describe, unrolled_dot


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


def test_h0_is_a_filled_node_so_its_label_shows_on_a_dark_background():
    line = next(line for line in unrolled_dot("hell", "ello").splitlines() if line.strip().startswith("h0 ["))
    assert "filled" in line and "plaintext" not in line


def test_the_text_alternative_names_the_inputs_targets_and_highlighted_step():
    words = describe("hel l", "el lo", current=2)
    assert "5 steps" in words and "h, e, l, ␣, l" in words and "e, l, ␣, l, o" in words
    assert words.endswith("Step 2 is highlighted.")
    assert "highlighted" not in describe("ab", "bc") and "flowing back" in describe("ab", "bc", backward=True)
