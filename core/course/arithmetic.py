"""One element of a typed answer, as arithmetic: a whitelisted walk of Python's `ast`, never eval.

The tree may hold numbers, + - * / ** and unary minus, parentheses, the functions in FUNCTIONS and the
constants in CONSTANTS; anything else is refused with a reason. Nesting and the number of operators are
bounded, and every float operation that can overflow is caught.
"""
from __future__ import annotations

import ast
import math
import re

from core.course.checking import EXACT_DIGITS
from core.rnn.activations import sigmoid

MAX_DEPTH = 40  # nesting of operations inside one number's arithmetic
MAX_OPERATORS = 200  # operators and function calls inside one number's arithmetic

FUNCTIONS = {"tanh": math.tanh, "exp": math.exp, "log": math.log, "ln": math.log, "log10": math.log10,
             "sqrt": math.sqrt, "sigmoid": lambda x: float(sigmoid(x))}
CONSTANTS = {"e": math.e, "pi": math.pi}


class Unreadable(Exception):
    """A learner-facing reason why the text cannot be read (the reader turns it into Parsed.message)."""



def significant_digits(num: str) -> int:
    """Significant digits of a typed literal: '0.0012' -> 2, '1.20' -> 3, '100' -> 1, '0' -> exact."""
    mant = re.split(r"[eE]", num.rstrip("%"))[0]
    digits = mant.replace(".", "").lstrip("0")
    if not digits:
        return EXACT_DIGITS  # zero is exact
    if "." not in mant:
        digits = digits.rstrip("0") or "0"
    return len(digits)


def number_value(text: str) -> float:
    pct = text.endswith("%")
    try:
        v = float(text.rstrip("%"))
    except (OverflowError, ValueError):
        raise Unreadable(f"‘{text}’ is not a number I can read.") from None
    if not math.isfinite(v):
        raise Unreadable(f"‘{text if len(text) <= 40 else text[:37] + '...'}’ is too large.")
    return v / 100.0 if pct else v


def evaluate_tree(node, depth: int) -> float:
    if depth > MAX_DEPTH:
        raise Unreadable("The arithmetic is nested too deeply: simplify it.")
    if isinstance(node, ast.Expression):
        return evaluate_tree(node.body, depth + 1)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        try:
            return float(node.value)
        except OverflowError:
            raise Unreadable("A number in the arithmetic is too large.") from None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = evaluate_tree(node.operand, depth + 1)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        a, b = evaluate_tree(node.left, depth + 1), evaluate_tree(node.right, depth + 1)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            if b == 0:
                raise Unreadable("Division by zero.")
            return a / b
        if a == 0 and b < 0:
            raise Unreadable("Zero to a negative power is a division by zero.")
        if a < 0 and not float(b).is_integer():
            raise Unreadable("A negative number to a fractional power is not a real number.")
        try:
            return math.pow(a, b)
        except OverflowError:
            raise Unreadable("A power is too large.") from None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        name = node.func.id
        if len(node.args) != 1 or node.keywords:
            raise Unreadable(f"{name} takes exactly one number, as in {name}(0.5).")
        x = evaluate_tree(node.args[0], depth + 1)
        if name in ("log", "ln", "log10") and x <= 0:
            raise Unreadable(f"{name} needs a positive number (got {x:g}).")
        if name == "sqrt" and x < 0:
            raise Unreadable(f"sqrt needs a number that is not negative (got {x:g}).")
        try:
            return FUNCTIONS[name](x)
        except OverflowError:
            raise Unreadable(f"{name}({x:g}) is too large.") from None
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise Unreadable(f"{node.id} needs parentheses around its number, as in {node.id}(0.5).")
        raise Unreadable(f"‘{node.id}’ is not a number or a known function (known: {', '.join(FUNCTIONS)}; "
                   "constants e and pi).")
    if isinstance(node, ast.Call):
        raise Unreadable("Only the functions " + ", ".join(FUNCTIONS) + " can be used.")
    raise Unreadable("Only numbers, + - * / ^, parentheses and the listed functions can be used.")
