"""The Streamlit app's pages and parts; app.py (the entry point) only lists the pages.

- pages/: one file per page, run by Streamlit as a script (`st.Page("ui/pages/NAME.py")` in app.py);
- cards.py: a result card's HTML; escape.py: document text made safe for HTML and Markdown;
- resources.py: the model, the searcher and the index build, loaded once per server;
- upload.py: the upload workflow on the page (the checks and the save are ingest.upload's);
- assets.py + static/: the page's CSS and its one script; constants.py: names the bench and tests drive.
"""
