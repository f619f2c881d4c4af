"""Cached builders of the seeded networks that screens show; they depend only on their settings."""
from __future__ import annotations

import streamlit as st

from core.rnn.network import trace_text


@st.cache_data(show_spinner=False, max_entries=64)
def cached_trace(text: str, hidden: int, seed: int, hand_friendly: bool = True):
    """(vocab, params, forward trace) for a text, hidden size and seed; cached because reruns are frequent."""
    return trace_text(text, hidden, seed, hand_friendly)
