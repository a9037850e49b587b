"""Data: what is loaded, upload a new slate (validated before anything is replaced), downloads."""

import tempfile

import pandas as pd
import streamlit as st

from dashboard.state import current, data_dir, store
from planning.data.bundles import BundleError, dataset_zip, summary, template_zip, unpack
from planning.data.validate import ValidationError

loaded = current()
data = loaded.data
meta = store().meta()

st.title("Data")
cols = st.columns(4)
cols[0].metric("Productions", len(data.productions))
cols[1].metric("Resources", len(data.resources))
cols[2].metric("Budget", f"{data.budget_lines['amount'].sum() / 1e6:,.1f}M {data.settings.currency}")
cols[3].metric("Horizon", f"{data.settings.horizon_weeks} weeks",
               help=f"From {data.settings.horizon_start:%d %b %Y}")
st.caption(f"Loaded from **{loaded.label}** on {pd.Timestamp(meta['loaded_at']):%d %b %Y at %H:%M} UTC · "
           f"content hash `{loaded.key}`")
st.dataframe(summary(data), hide_index=True)

left, right = st.columns(2)
left.download_button("Download the current data (zip of Parquet)", lambda: dataset_zip(data),
                     file_name=f"slate-{loaded.key}.zip", mime="application/zip", key="download_data", on_click="ignore")
right.download_button("Download an empty template (zip of CSV)", template_zip(),
                      file_name="slate-template.zip", mime="application/zip", key="download_template", on_click="ignore")

st.subheader("Load a new slate")
st.write("Upload a zip of the table files, or the files themselves (`productions.parquet`, `phases.csv`, ...). "
         "Everything is checked first; the current slate is replaced only if the new one has no problem. "
         "The format is in the template's README.")
with st.form("upload", clear_on_submit=False):
    uploads = st.file_uploader("Slate files", type=["zip", "parquet", "csv"], accept_multiple_files=True,
                               key="upload_files")
    submitted = st.form_submit_button("Validate and load", type="primary")
if submitted:
    if not uploads:
        st.warning("Choose a zip or the table files first.")
    else:
        with tempfile.TemporaryDirectory() as folder, st.spinner("Validating…"):
            try:
                tables = unpack([(f.name, f.getvalue()) for f in uploads], folder)
                new = store().load(folder, source="upload: " + ", ".join(f.name for f in uploads))
            except BundleError as exc:
                st.error(str(exc))
            except ValidationError as exc:
                st.error(f"The upload has {len(exc.problems)} problem(s); nothing was changed.")
                st.dataframe(pd.DataFrame([vars(p) for p in exc.problems]), hide_index=True, width="stretch")
            else:
                st.session_state["data_loaded_message"] = (
                    f"Loaded {len(new.productions)} productions from {', '.join(tables)}.")
                st.rerun()
if message := st.session_state.pop("data_loaded_message", None):
    st.success(message)

if st.button("Restore the bundled sample slate", key="restore_sample"):
    store().load(data_dir())
    st.rerun()
