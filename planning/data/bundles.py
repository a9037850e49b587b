"""Datasets as zip bundles: the empty template, the current data, and unpacking an upload.

An upload is either one zip holding the table files (at its top level or in one folder) or a set of
single ``<table>.parquet`` / ``<table>.csv`` files. Only files named after contract tables are
taken; every other member is ignored, and no member is ever written outside the target folder.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

import pandas as pd

from planning.data.files import csv_bytes
from planning.data.inputs import SlateData
from planning.data.schema import TABLES, to_markdown

SUFFIXES = (".parquet", ".csv")


class BundleError(Exception):
    """An upload that cannot be unpacked (not a zip, no table files, a table given twice)."""


def template_zip() -> bytes:
    """A zip of one header-only CSV per table (``planning.data.files``), plus the data format as ``README.md``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, table in TABLES.items():
            z.writestr(f"{name}.csv", csv_bytes(pd.DataFrame(columns=list(table.column_names))))
        z.writestr("README.md", to_markdown() + "\n")
    return buf.getvalue()


def dataset_zip(data: SlateData) -> bytes:
    """The dataset as a zip of Parquet files, one per table; it loads back unchanged."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, frame in data.tables().items():
            cols = TABLES[name].column_names
            part = io.BytesIO()
            frame[cols].to_parquet(part, index=False)
            z.writestr(f"{name}.parquet", part.getvalue())
    return buf.getvalue()


def table_name(filename: str) -> str | None:
    """The contract table a file holds, from its name (`phases.csv` -> `phases`), or None."""
    path = PurePosixPath(filename.replace("\\", "/"))
    if path.suffix.lower() in SUFFIXES and path.stem in TABLES and not path.name.startswith("."):
        return path.stem
    return None


def write_table_file(filename: str, content: bytes, folder: str | Path) -> Path | None:
    """Write one uploaded table file into ``folder`` under the table's own name (``phases.csv``),
    never the client's path, so a crafted name (``../../x/phases.csv``) cannot write elsewhere.
    Returns the file written, or None when ``filename`` names no table of the contract."""
    name = table_name(filename)
    if name is None:
        return None
    target = Path(folder) / f"{name}{PurePosixPath(filename.replace(chr(92), '/')).suffix.lower()}"
    target.write_bytes(content)
    return target


def unpack(files: list[tuple[str, bytes]], folder: str | Path) -> list[str]:
    """Write the table files of an upload into ``folder``; return the table names found.

    ``files`` is a list of ``(filename, content)``. A zip is opened and its table files taken.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    found: dict[str, str] = {}

    def take(filename: str, content: bytes) -> None:
        name = table_name(filename)
        if name is None:
            return
        if name in found:
            raise BundleError(f"table {name!r} is given twice ({found[name]} and {filename})")
        found[name] = filename
        write_table_file(filename, content, folder)

    for filename, content in files:
        if filename.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(io.BytesIO(content)) as z:
                    for info in z.infolist():
                        if not info.is_dir():
                            take(info.filename, z.read(info))
            except zipfile.BadZipFile as exc:
                raise BundleError(f"{filename} is not a readable zip file ({exc})") from exc
        else:
            take(filename, content)
    if not found:
        expected = ", ".join(f"{n}.parquet" for n in TABLES)
        raise BundleError(f"no table files found; expected files named like {expected} (or .csv)")
    return sorted(found)


def summary(data: SlateData) -> pd.DataFrame:
    """``table, rows, columns``: one row per contract table of the dataset."""
    rows = [(name, len(frame), len(TABLES[name].columns)) for name, frame in data.tables().items()]
    return pd.DataFrame(rows, columns=["table", "rows", "columns"])
