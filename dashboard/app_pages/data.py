"""Data: what is loaded; upload a new slate or one table, or edit a table in place (each validated
as a whole slate before anything is stored); bring back an earlier slate; downloads."""

import tempfile

import pandas as pd
import streamlit as st

from dashboard import show
from dashboard.state import actor, current, data_dir, scenario_store, store
from dashboard.tables import header
from dashboard.text import md
from planning.access import Forbidden
from planning.data.bundles import BundleError, dataset_zip, summary, table_name, template_zip, unpack, write_table_file
from planning.data.schema import TABLES
from planning.data.store import StaleEdit, read_folder
from planning.data.validate import ValidationError

EDITABLE = ("productions", "phases", "demands", "resources")


def show_forbidden(exc: Forbidden) -> None:
    st.error(md(str(exc).capitalize()))


def show_problems(exc: ValidationError) -> None:
    """Every problem, by table, row and column; the stored slate is unchanged."""
    st.error(f"{len(exc.problems)} problem(s); nothing was changed.")
    show.table(pd.DataFrame([vars(p) for p in exc.problems]).set_index("table"))


def stored(message: str) -> None:
    st.session_state["data_loaded_message"] = message
    st.rerun()


def attempt(write, done, unchanged: str = "") -> None:
    """Run one write to the slate: its problems (by table, row and column) or a refusal are shown
    and nothing changes; a write that changed nothing (None) says ``unchanged``; else ``done(new)``."""
    try:
        new = write()
    except ValidationError as exc:
        show_problems(exc)
    except Forbidden as exc:
        show_forbidden(exc)
    else:
        if new is None:
            st.info(unchanged)
        else:
            stored(done(new))


loaded = current()
data = loaded.data
me = actor()
admin = me.may("load slate")
meta = store().meta()

st.title("Data")
if message := st.session_state.pop("data_loaded_message", None):
    st.success(message)
cols = st.columns(4)
cols[0].metric("Productions", len(data.productions))
cols[1].metric("Resources", len(data.resources))
cols[2].metric(f"Budget ({data.settings.currency})", f"{data.budget_lines['amount'].sum() / 1e6:,.1f}M")
cols[3].metric("Horizon", f"{data.settings.horizon_weeks} weeks",
               help=f"From {data.settings.horizon_start:%d %b %Y}")
st.caption(f"Loaded from **{md(loaded.label)}** on {pd.Timestamp(meta['loaded_at']):%d %b %Y at %H:%M} UTC · "
           f"content hash `{loaded.key}`")
show.dataframe(summary(data), width="content")

left, right = st.columns(2)
left.download_button("Download the current data (zip of Parquet)", lambda: dataset_zip(data),
                     file_name=f"slate-{loaded.key}.zip", mime="application/zip", key="download_data", on_click="ignore")
right.download_button("Download an empty template (zip of CSV)", template_zip(),
                      file_name="slate-template.zip", mime="application/zip", key="download_template", on_click="ignore")

if not admin:
    st.info(f"You are signed in as a {me.role}: you can see and download the slate; only an admin can change it.")
st.subheader("Load a new slate")
st.write("Upload a zip of the table files, or the files themselves (`productions.parquet`, `phases.csv`, ...). "
         "Everything is checked first; the current slate is replaced only if the new one has no problem. "
         "The format is in the template's README.")
with st.form("upload", clear_on_submit=False):
    uploads = st.file_uploader("Slate files", type=["zip", "parquet", "csv"], accept_multiple_files=True,
                               key="upload_files")
    submitted = st.form_submit_button("Validate and load", type="primary", disabled=not admin)
if submitted:
    if not uploads:
        st.warning("Choose a zip or the table files first.")
    else:
        with tempfile.TemporaryDirectory() as folder, st.spinner("Validating…"):
            try:
                tables = unpack([(f.name, f.getvalue()) for f in uploads], folder)
            except BundleError as exc:
                st.error(md(exc))
            else:
                attempt(lambda: store().load(folder, actor=me, source="upload: " + ", ".join(f.name for f in uploads)),
                        lambda new: f"Loaded {len(new.productions)} productions from {', '.join(tables)}.")

st.subheader("Replace one table")
st.write("Upload one table file (e.g. a new `productions.csv`). It is checked together with the other tables "
         "as they are loaded; the slate changes only if the whole is clean.")
with st.form("one_table"):
    one = st.file_uploader("Table file", type=["parquet", "csv"], key="upload_table")
    replace_one = st.form_submit_button("Validate and replace", disabled=not admin)
if replace_one and one is not None:
    name = table_name(one.name)
    if name is None:
        st.error(f"{md(one.name)} is not a table of the slate (expected e.g. productions.csv or phases.parquet).")
    else:
        with tempfile.TemporaryDirectory() as folder:
            write_table_file(one.name, one.getvalue(), folder)
            raw, problems = read_folder(folder)

            def replace_it():
                if problems:
                    raise ValidationError(problems)
                return store().replace_table(name, raw[name], source=f"{loaded.label}, {name} from {one.name}",
                                             actor=me)

            attempt(replace_it, lambda new: f"Replaced {name} ({len(getattr(new, name))} rows) from {md(one.name)}.",
                    unchanged=f"{md(one.name)} is the {name} table as loaded: nothing to replace.")

st.subheader("Edit in the app")
table = st.selectbox("Table", EDITABLE, key="edit_table")
frame = getattr(data, table).drop(columns=[c for c in ("seq",) if c in getattr(data, table).columns])
# Headers in words; each says its column's name in the files (the template, uploads) and what it holds.
columns = {c.name: (st.column_config.DateColumn if c.type == "date" else st.column_config.Column)(
    header(c.name), help=f"{c.name}: {c.description}" + (f" ({c.unit})" if c.unit else ""),
    **({"format": "YYYY-MM-DD"} if c.type == "date" else {})) for c in TABLES[table].columns}
opened_key, editor_key = f"edit_opened_{table}", f"edit_{table}"
if not any(st.session_state.get(editor_key, {}).get(k) for k in ("edited_rows", "added_rows", "deleted_rows")):
    st.session_state[opened_key] = loaded.key          # no edits yet: the editor starts from the slate as it is now
edited = show.editor(frame, columns, num_rows="dynamic", key=editor_key)


def reload_editor() -> None:
    st.session_state.pop(editor_key, None)
    st.session_state.pop(opened_key, None)


if st.button("Check and save", key="edit_save", type="primary", disabled=not admin):
    try:
        attempt(lambda: store().edit_table(table, edited, source=f"{loaded.label}, {table} edited in the app",
                                           actor=me, opened=st.session_state[opened_key]),
                lambda new: (reload_editor(), f"Saved your edits to {table} ({len(edited)} rows).")[1],
                unchanged="Nothing to save: the table is as loaded.")
    except StaleEdit as exc:
        st.error(md(str(exc).capitalize()))
        st.button("Reload the editor (your edits are dropped)", key="edit_reload", on_click=reload_editor)

st.subheader("Earlier slates")
earlier = store().history()
sure = st.checkbox("Yes, replace the loaded slate with the bundled sample (the loaded one is kept below)",
                   key="restore_sure")
if st.button("Restore the bundled sample slate", key="restore_sample", disabled=not (sure and admin)):
    store().restore(data_dir(), actor=me)
    st.session_state.pop("restore_sure", None)
    stored("Restored the bundled sample slate; the one it replaced is under Earlier slates.")
if earlier.empty:
    st.caption("Every load keeps the slate it replaces (the last five); none has been replaced yet.")
else:
    show.dataframe(earlier, {
        "version": "#", "source": "Loaded from", "content_hash": "Content hash", "productions": "Productions",
        "loaded_at": st.column_config.DatetimeColumn("Loaded (UTC)", format="D MMM YYYY, HH:mm"),
        "replaced_at": st.column_config.DatetimeColumn("Replaced (UTC)", format="D MMM YYYY, HH:mm")})
    back = st.selectbox("Slate to bring back", list(earlier["version"]), key="bring_back_pick",
                        format_func=lambda v: f"#{v}: {earlier.set_index('version').at[v, 'source']}")
    if st.button("Bring it back", key="bring_back", disabled=not admin):
        store().bring_back(int(back), actor=me)
        stored(f"Brought back slate #{back}; the one it replaced is kept too.")

st.subheader("Audit log")
log = pd.concat([store().audit(), scenario_store().audit()], ignore_index=True).sort_values("at", ascending=False)
if log.empty:
    st.caption("No change yet.")
else:
    show.dataframe(log, {
        "at": st.column_config.DatetimeColumn("When (UTC)", format="D MMM YYYY, HH:mm:ss"), "user": "Who",
        "user_id": st.column_config.TextColumn("Identity", help="issuer and subject of the sign-in (local:<uid> "
                                               "on the command line); empty on rows from before it was kept"),
        "role": "Role", "action": "What", "target": st.column_config.TextColumn("On", width="medium"),
        "detail": st.column_config.TextColumn("Detail", width="large")})
    st.caption("Every change to the slate and to saved scenarios: who, when, what (also `slate audit`).")
