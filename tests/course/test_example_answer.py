"""The format example an empty answer box shows: of the expected shape, and read back as that shape."""
import pytest

from core.course.answers import parse_answer
from core.formatting import example_answer


@pytest.mark.parametrize("shape", [(), (3,), (4,), (2, 2), (3, 4), (4, 3), (2, 8)])
def test_a_full_example_reads_back_as_the_expected_shape(shape):
    text = example_answer(shape)
    assert "…" not in text
    assert parse_answer(text, shape).value.shape == shape


def test_matrices_are_nested_lists_row_by_row():
    assert example_answer((2, 2)) == "[[0.1, -0.2], [0.3, 0.4]]"
    assert example_answer((3, 4)).count("[") == 4 and example_answer((3, 4)).count("], [") == 2


def test_a_large_shape_is_abbreviated_with_its_size_in_words():
    assert example_answer((8, 8)).endswith("…]: 8 rows of 8 numbers")
    assert example_answer((20,)).endswith("…]: 20 numbers")
