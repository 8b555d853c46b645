"""normbase in the browser: cited passages of cyber-diplomacy texts. Run with `make run`.

This file is the entry point and the navigation only. Each page is one file in ui/pages/
(Streamlit runs it as a script); its parts live beside it in ui/ (cards, escaping, resources,
uploads, static CSS and the one copy script). To add a page, write ui/pages/NAME.py with a
`render()` run under `if __name__ == "__main__"`, and add its `st.Page(...)` line to `pages` below.

Safety: document text reaches the page only escaped (ui/escape.py); the one script is the
constant ui/static/copy.js (ui/assets.py).
"""
from __future__ import annotations

import streamlit as st

from ui import assets


def main() -> None:
    st.set_page_config(page_title="normbase: cyber norms search", page_icon=":material/gavel:", layout="wide")
    assets.install()
    pages = [  # one line per page; paths are relative to this file
        st.Page("ui/pages/search.py", title="Search", icon=":material/search:", default=True),
        st.Page("ui/pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
        st.Page("ui/pages/documents.py", title="Documents", icon=":material/library_books:", url_path="documents"),
    ]
    st.navigation(pages).run()


if __name__ == "__main__":  # `streamlit run app.py` (and AppTest) run this file as __main__
    main()
