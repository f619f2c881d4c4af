"""The NumPy core of the RNN tutor: maths, exercise engine and persistence, with no UI.

Nothing in this package imports streamlit, so every piece can be tested and benchmarked on its own.
"""
