"""One file per page of the app. Each is a script Streamlit runs (its `render()` under `__main__`);
app.py lists it with one `st.Page(...)` line. Importing a page module runs no page code."""
