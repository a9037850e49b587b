"""Zip bundles: the template, the current data, and unpacking uploads safely."""

import io
import zipfile

import pandas as pd
import pytest

from planning.data.bundles import BundleError, dataset_zip, template_zip, unpack, write_table_file
from planning.data.schema import TABLES
from planning.data.store import load_folder


def test_template_has_every_table_with_contract_headers():
    with zipfile.ZipFile(io.BytesIO(template_zip())) as z:
        for name, table in TABLES.items():
            assert z.read(f"{name}.csv").decode().strip().split(",") == table.column_names
        assert "phase_links" in z.read("README.md").decode()


def test_dataset_zip_loads_back_unchanged(tmp_path, sample_data):
    with zipfile.ZipFile(io.BytesIO(dataset_zip(sample_data))) as z:
        z.extractall(tmp_path)
    back = load_folder(tmp_path)
    for name, frame in sample_data.tables().items():
        pd.testing.assert_frame_equal(frame, back.tables()[name], obj=name)


def test_unpack_takes_only_table_files_and_never_escapes(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("deep/folder/productions.csv", "production_id\n")
        z.writestr("../../evil.csv", "x")
        z.writestr("../resources.csv", "resource_id\n")
        z.writestr("notes.txt", "hello")
    found = unpack([("slate.zip", buf.getvalue())], tmp_path / "out")
    assert found == ["productions", "resources"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["productions.csv", "resources.csv"]
    assert not (tmp_path / "evil.csv").exists()


@pytest.mark.parametrize("crafted", ["../../outside/productions.csv", "..\\..\\outside\\productions.csv",
                                     "/tmp/outside/productions.csv", "sub/../../outside/productions.CSV"])
def test_one_table_is_written_under_its_own_name_whatever_the_client_calls_it(tmp_path, crafted):
    """Data → Replace one table: the uploaded file's name chooses the table, never the path written."""
    inside = tmp_path / "upload"
    inside.mkdir()
    (tmp_path / "outside").mkdir()
    written = write_table_file(crafted, b"production_id\n", inside)
    assert written is not None and written.parent == inside and written.name == "productions.csv"
    assert list((tmp_path / "outside").iterdir()) == []
    assert write_table_file("../notes.txt", b"x", inside) is None


def test_the_data_page_writes_an_upload_only_through_the_safe_writer():
    """No page joins a client's file name to a folder itself."""
    from conftest import ROOT

    page = (ROOT / "dashboard" / "app_pages" / "data.py").read_text()
    assert "write_table_file(one.name" in page and "/ one.name" not in page


def test_unpack_errors_are_clear(tmp_path):
    with pytest.raises(BundleError, match="not a readable zip"):
        unpack([("slate.zip", b"not a zip")], tmp_path)
    with pytest.raises(BundleError, match="no table files found"):
        unpack([("notes.txt", b"x")], tmp_path)
    with pytest.raises(BundleError, match="given twice"):
        unpack([("phases.csv", b"a"), ("phases.parquet", b"b")], tmp_path)
