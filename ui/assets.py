"""The page's CSS and its one script, read from ui/static once when the app starts.

COPY_SCRIPT is the only HTML the app shows with JavaScript allowed; it is a file of the project,
never built from document text (tests check it is the only scripted element on the page).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

STATIC = Path(__file__).resolve().parent / "static"
CSS = f"<style>\n{(STATIC / 'app.css').read_text(encoding='utf-8')}</style>"
COPY_SCRIPT = f"<script>\n{(STATIC / 'copy.js').read_text(encoding='utf-8')}</script>"


def install() -> None:
    """Put the CSS and the copy script on the page; called by app.py on every run, before the page."""
    st.html(CSS)
    st.html(COPY_SCRIPT, unsafe_allow_javascript=True)
