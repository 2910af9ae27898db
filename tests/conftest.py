from __future__ import annotations

import os
from pathlib import Path

import pytest

# The tests move into a folder of their own (configured_folder below), and docgen's worker pools
# come from a fork server that takes its import path from the environment (Python 3.11 ignores the
# one it is given), as does docgen run as a command: a relative PYTHONPATH (PYTHONPATH=src) would be
# read from that folder, and the workers would import another checkout's docgen.
if os.environ.get("PYTHONPATH"):
    os.environ["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in os.environ["PYTHONPATH"].split(os.pathsep)
                                               if p)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*.txt from the current output")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


# Shared samples: every kind's documents from the bundled workbooks, rendered once per test run.
import datetime as dt

from docgen import api
from docgen.config import load_config
from docgen.documents import KINDS, WORKBOOK_KINDS, Options, annual_report, documents

SAMPLES = Path(__file__).parent.parent / "samples"
OPTIONS = Options(date=dt.date(2024, 12, 23))
ALL_KINDS = sorted([*WORKBOOK_KINDS, annual_report.KIND])
# The company the tests work for: the samples' own configuration.
CONFIG_FILE = SAMPLES / "docgen.toml"
CONFIG = load_config(CONFIG_FILE)


@pytest.fixture(autouse=True)
def configured_folder(tmp_path_factory, monkeypatch):
    """Every test runs in a folder holding that docgen.toml, as a clerk's working folder would."""
    folder = tmp_path_factory.getbasetemp() / "工作目录"
    if not folder.is_dir():
        folder.mkdir()
        (folder / "docgen.toml").write_bytes(CONFIG_FILE.read_bytes())
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture(scope="session")
def renderers():
    return api.Renderers(api.FORMATS)


@pytest.fixture(scope="session")
def sample_intake():
    intake, report = api.load(SAMPLES / "城关供电服务中心党支部.xlsx")
    assert report.ok
    return intake


@pytest.fixture(scope="session")
def sample_documents(sample_intake):
    """Every kind's documents from the samples: per workbook, plus the year-end report of all of them."""
    found = {kind: list(documents(sample_intake, [kind], CONFIG, OPTIONS)) for kind in WORKBOOK_KINDS}
    loaded = [api.load(p) for p in api.find_workbooks([SAMPLES])]
    data = annual_report.year_end([intake for intake, report in loaded if report.ok], CONFIG, OPTIONS)
    found[annual_report.KIND] = [KINDS[annual_report.KIND].document(data, CONFIG, OPTIONS)]
    return found


class Rendered:
    """Each document rendered once in each format, on first use."""

    def __init__(self, renderers):
        self.renderers = renderers
        self._done: dict[tuple[int, str], bytes] = {}

    def __call__(self, document, fmt: str) -> bytes:
        key = (id(document), fmt)
        if key not in self._done:
            self._done[key] = self.renderers.render(fmt, document.kind, document.context.model_dump(),
                                                    document.metadata)
        return self._done[key]


@pytest.fixture(scope="session")
def rendered(renderers):
    return Rendered(renderers)


# The web page's tests: a data folder on SQLite and on a PostgreSQL server the suite starts itself.
import uuid

from pgserver import Server, pg_bin
@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server the suite starts itself (make test installs it)."""
    binaries = pg_bin()
    if binaries is None:
        pytest.skip("没有安装 PostgreSQL（make test 会安装）")
    server = Server(binaries)
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request):
    """None (the data folder's SQLite file), or a new database on the suite's PostgreSQL server."""
    if request.param == "sqlite":
        return None
    import sqlalchemy as sa
    url = request.getfixturevalue("postgres")
    name = f"t{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{url.rsplit('/', 1)[0]}/{name}"


@pytest.fixture
def web(tmp_path):
    """The app over a data folder with an administrator and two branches, on SQLite only."""
    from docgen.web import create_app
    from webaccounts import data_folder
    store = data_folder(tmp_path / "数据")
    app = create_app(tmp_path / "数据", CONFIG, secret="test-secret")
    yield app, store, tmp_path
    store.close()
    app.state.site.store.close()


@pytest.fixture
def site(tmp_path, database):
    """The app over a data folder with an administrator and two branches, on SQLite and on PostgreSQL."""
    from docgen.web import create_app
    from webaccounts import data_folder
    store = data_folder(tmp_path / "数据", database=database)
    app = create_app(tmp_path / "数据", CONFIG, secret="test-secret", database=database)
    yield app, store, tmp_path
    store.close()
    app.state.site.store.close()
