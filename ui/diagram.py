"""The unrolled RNN as Graphviz DOT source, with one step highlighted (drawn by st.graphviz_chart)."""
from __future__ import annotations

HIGHLIGHT = "#C2410C"
MUTED = "#6B7280"
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


def _sub(t: int) -> str:
    return "".join(SUBSCRIPTS[int(d)] for d in str(t))


def _label(ch: str) -> str:
    return {" ": "␣", "\n": "⏎", '"': '\\"', "\\": "\\\\"}.get(ch, ch)


def unrolled_dot(inputs: str, targets: str, current: int | None = None, backward: bool = False) -> str:
    """DOT of x_t -> h_t -> p_t for t = 1..T and h_{t-1} -> h_t; step `current` (from 1) drawn in colour.

    With backward=True the recurrent edges point from h_t to h_{t-1} (dashed), the way the gradient
    flows in BPTT.
    """
    T = len(inputs)
    assert len(targets) == T, f"{len(targets)} targets for {T} inputs"
    hot_node = f', color="{HIGHLIGHT}", penwidth=2.2, fillcolor="#FFF3E8"'
    hot_edge = f'color="{HIGHLIGHT}", penwidth=2'
    lines = [
        "digraph rnn {",
        '  rankdir=BT; nodesep=0.35; ranksep=0.45; bgcolor="transparent";',
        '  node [shape=box, style="rounded,filled", fillcolor="#FFFFFF", color="#9CA3AF", '
        'fontname="Helvetica", fontsize=12];',
        f'  edge [color="{MUTED}", arrowsize=0.7];',
        # filled like the other nodes (dashed: it is given, not computed): unfilled, its dark label would vanish
        # on the dark theme's background
        '  h0 [label="h₀ = 0", style="rounded,filled,dashed"];',
    ]
    for t in range(1, T + 1):
        node = hot_node if t == current else ""
        edge = f" [{hot_edge}]" if t == current else ""
        lines += [
            f'  x{t} [label="x{_sub(t)} = {_label(inputs[t - 1])}"{node}];',
            f'  h{t} [label="h{_sub(t)}"{node}];',
            f'  y{t} [label="p{_sub(t)}\\ntarget {_label(targets[t - 1])}"{node}];',
            f"  x{t} -> h{t}{edge};",
            f"  h{t} -> y{t}{edge};",
        ]
        extra = ", " + hot_edge if t == current else ""
        if backward:
            lines.append(f"  h{t} -> h{t - 1} [constraint=false, style=dashed{extra}];")
        else:
            lines.append(f"  h{t - 1} -> h{t} [constraint=false{extra}];")
    lines.append("  { rank=same; h0; " + " ".join(f"h{t};" for t in range(1, T + 1)) + " }")
    lines.append("}")
    return "\n".join(lines)


def describe(inputs: str, targets: str, current: int | None = None, backward: bool = False) -> str:
    """The diagram in words, for screen readers (st.graphviz_chart's alt)."""
    def seen(chars: str) -> str:
        return ", ".join({" ": "␣", "\n": "⏎"}.get(ch, ch) for ch in chars)

    T = len(inputs)
    words = (f"Diagram of the network unrolled over {T} step{'s' if T != 1 else ''}: each input x_t "
             f"({seen(inputs)}) feeds the hidden state h_t, which gives p_t and is compared with "
             f"its target ({seen(targets)}); h_0 = 0 starts the chain, and each h_t feeds h_(t+1)")
    words += ", the gradient flowing back from h_t to h_(t-1)." if backward else "."
    return words + (f" Step {current} is highlighted." if current else "")
