"""The playground charts: colours the theme can swap, a text alternative for each, no unnamed empty layer."""
import pytest

from ui import charts

# The names Streamlit swaps for the light or dark theme's own colours in encoding.color (values, scale ranges).
THEME_NAMES = {"red", "orange", "yellow", "green", "blue", "violet", "gray", "grey", "primary"}


def colours_in(spec) -> set[str]:
    """Every colour a spec sets explicitly in an encoding: color values and color scale ranges."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            color = node.get("encoding", {}).get("color", {})
            if isinstance(color.get("value"), str):
                found.add(color["value"])
            for c in (color.get("scale") or {}).get("range", []) if isinstance(color, dict) else []:
                found.add(c)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return found


@pytest.mark.parametrize("name", sorted(charts.BUILDERS))
def test_every_chart_uses_theme_colours_and_has_a_text_alternative(name):
    spec = charts.BUILDERS[name]().to_dict()
    assert colours_in(spec) <= THEME_NAMES, f"{name}: hex colours stay the same on a dark background"
    assert len(charts.ALT[name]) > 30 and "chart" in charts.ALT[name].lower()


def test_the_decay_charts_capped_values_layer_is_hidden_from_screen_readers():
    layers = charts.BUILDERS["decay"]().to_dict()["layer"]
    points = [layer for layer in layers if layer["mark"]["type"] == "point"]
    assert points and all(layer["mark"].get("aria") is False for layer in points)
