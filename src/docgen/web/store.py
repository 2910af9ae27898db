"""What the web page keeps: accounts, checks and submissions, in SQL through SQLAlchemy Core.

The data folder holds the database (SQLite by default, data/docgen.sqlite3) and the files:
every uploaded workbook under a generated name in uploads/, never changed. The schema
is created and upgraded by Alembic's migrations (web/migrations), the same on SQLite and
PostgreSQL. A check is an uploaded workbook with its report; a submission is a check a
branch has handed in (only one without errors), one version after another.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..api import code_key

metadata = sa.MetaData()

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),  # the login name
    sa.Column("role", sa.String(16), nullable=False),  # admin or branch
    sa.Column("branch", sa.String(200), nullable=True),  # 申报党组织 of a branch account
    sa.Column("password", sa.String(200), nullable=True),  # Argon2 hash; None until activated
    sa.Column("activation", sa.String(64), nullable=True, unique=True),  # one-time token
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),  # False: deactivated, cannot sign in
)

sessions = sa.Table(  # a signed-in browser; its row deleted ends it (logout, new password, deactivation)
    "sessions", metadata,
    sa.Column("key", sa.String(64), primary_key=True),  # SHA-256 of the cookie's token, never the token
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False, index=True),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("expires", sa.DateTime, nullable=False),
    sa.Column("address", sa.String(64), nullable=True),
)

checks = sa.Table(
    "checks", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
    sa.Column("branch", sa.String(200), nullable=True),
    sa.Column("original", sa.String(255), nullable=False),  # the file name the branch uploaded
    sa.Column("stored", sa.String(64), nullable=False, unique=True),  # its generated name in uploads/
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("errors", sa.Integer, nullable=False),
    sa.Column("warnings", sa.Integer, nullable=False),
    sa.Column("report", sa.Text, nullable=False),  # the FileReport as JSON
    sa.Column("created", sa.DateTime, nullable=False),
)

submissions = sa.Table(
    "submissions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id"), nullable=False, unique=True),
    sa.Column("branch", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending, returned, approved
    sa.Column("note", sa.Text, nullable=True),  # the department's note when returned
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("reviewed", sa.DateTime, nullable=True),
    sa.UniqueConstraint("branch", "version"),
)

jobs = sa.Table(
    "jobs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # running, done, failed, interrupted
    sa.Column("settings", sa.Text, nullable=False),  # kinds, formats, date, period as JSON
    sa.Column("total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("done", sa.Integer, nullable=False, server_default="0"),
    sa.Column("documents", sa.Integer, nullable=False, server_default="0"),
    sa.Column("stage", sa.String(200), nullable=True),
    sa.Column("message", sa.Text, nullable=True),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("started", sa.DateTime, nullable=True),
    sa.Column("finished", sa.DateTime, nullable=True),
)

check_codes = sa.Table(  # the project codes of a check's workbook: who else has handed in a code
    "check_codes", metadata,
    sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id"), nullable=False, index=True),
    sa.Column("code", sa.String(64), nullable=False, index=True),
    sa.PrimaryKeyConstraint("check_id", "code"),
)

SUBMISSION_STATUS = {"pending": "待审核", "returned": "已退回", "approved": "已通过"}
JOB_STATUS = {"running": "正在生成", "done": "已完成", "failed": "失败", "interrupted": "已中断"}


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    branch: str | None
    password: str | None
    activation: str | None
    active: bool = True

    @property
    def admin(self) -> bool:
        return self.role == "admin"


class Store:
    """The database and the files of one data folder."""

    def __init__(self, folder: str | Path, url: str | None = None) -> None:
        self.folder = Path(folder)
        self.uploads = self.folder / "uploads"
        self.uploads.mkdir(parents=True, exist_ok=True)
        self.url = url or f"sqlite:///{(self.folder / 'docgen.sqlite3').resolve()}"
        self.engine: Engine = sa.create_engine(self.url, future=True)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        upgrade(self.url)

    def close(self) -> None:
        """Let go of the database's connections."""
        self.engine.dispose()

    def discard(self, stored: str) -> None:
        """Remove a stored upload no row names (its check failed, or its row was not written), photos and all."""
        first = stored.split("/", 1)[0]
        target = self.uploads / first
        if not first or first.startswith(".") or target.parent != self.uploads:
            return
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)

    def sweep(self, older_than: float) -> list[str]:
        """Remove what a server killed mid-upload left: stored uploads no check names and half-written work
        files (.~…) in uploads/, and the settings' temporaries in the data folder, each untouched for
        `older_than` seconds (an upload still being checked by another server is younger); the names removed."""
        with self.engine.connect() as db:
            named = {row[0].split("/", 1)[0] for row in db.execute(sa.select(checks.c.stored))}
        moment = dt.datetime.now().timestamp()
        removed = []
        leftovers = [p for p in self.uploads.iterdir() if p.name not in named]
        leftovers += [p for p in self.folder.iterdir() if p.name.startswith(".~") and p.is_file()]
        for path in leftovers:
            try:
                if moment - path.lstat().st_mtime < older_than:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except OSError:  # another server swept it first, or it cannot be removed: left for the next start
                continue
            removed.append(path.name)
        return removed

    # --- accounts -------------------------------------------------------------------------------

    def add_account(self, name: str, role: str, branch: str | None = None, password: str | None = None) -> Account:
        """A new account; without a password it gets a one-time activation token."""
        token = None if password else secrets.token_urlsafe(24)
        with self.engine.begin() as db:
            db.execute(accounts.insert().values(name=name, role=role, branch=branch, password=password,
                                                activation=token, created=now()))
        return self.account(name=name)

    def account(self, id: int | None = None, name: str | None = None, activation: str | None = None) -> Account | None:
        column, value = ((accounts.c.id, id) if id is not None else (accounts.c.name, name) if name is not None
                         else (accounts.c.activation, activation))
        if value is None:
            return None
        with self.engine.connect() as db:
            row = db.execute(sa.select(accounts).where(column == value)).mappings().first()
        return _account(row) if row else None

    def accounts(self) -> list[Account]:
        with self.engine.connect() as db:
            rows = db.execute(sa.select(accounts).order_by(accounts.c.role, accounts.c.branch, accounts.c.name))
            return [_account(r) for r in rows.mappings()]

    def set_password(self, account_id: int, hashed: str) -> None:
        """The account's password (an Argon2 hash); its activation token is used up, its sessions end."""
        with self.engine.begin() as db:
            db.execute(accounts.update().where(accounts.c.id == account_id).values(password=hashed, activation=None))
            db.execute(sessions.delete().where(sessions.c.account_id == account_id))

    def set_active(self, account_id: int, active: bool) -> None:
        """Deactivate (its sessions end, its data stay) or reactivate an account."""
        with self.engine.begin() as db:
            db.execute(accounts.update().where(accounts.c.id == account_id).values(active=active))
            if not active:
                db.execute(sessions.delete().where(sessions.c.account_id == account_id))

    def reset_password(self, account_id: int) -> None:
        """The account's password stops working and its sessions end; a new one-time activation token sets the next."""
        with self.engine.begin() as db:
            db.execute(accounts.update().where(accounts.c.id == account_id)
                       .values(password=None, activation=secrets.token_urlsafe(24)))
            db.execute(sessions.delete().where(sessions.c.account_id == account_id))

    def rename(self, account_id: int, name: str) -> bool:
        """A new login name; False when another account has it."""
        try:
            with self.engine.begin() as db:
                db.execute(accounts.update().where(accounts.c.id == account_id).values(name=name))
        except sa.exc.IntegrityError:
            return False
        return True

    # --- sessions -------------------------------------------------------------------------------

    def start_session(self, account_id: int, key: str, csrf: str, seconds: int, address: str | None) -> None:
        """A signed-in browser's session under `key` (the SHA-256 of its token); expired sessions go."""
        moment = now()
        with self.engine.begin() as db:
            db.execute(sessions.delete().where(sessions.c.expires <= moment))
            db.execute(sessions.insert().values(key=key, account_id=account_id, csrf=csrf, created=moment,
                                                expires=moment + dt.timedelta(seconds=seconds),
                                                address=(address or "")[:64] or None))

    def session(self, key: str) -> tuple[Account, str] | None:
        """The account of the session `key` and its CSRF token, while the session lasts and the account may sign in."""
        query = (sa.select(accounts, sessions.c.csrf).join(sessions, sessions.c.account_id == accounts.c.id)
                 .where(sessions.c.key == key, sessions.c.expires > now(), accounts.c.active == sa.true(),
                        accounts.c.password.is_not(None)))
        with self.engine.connect() as db:
            row = db.execute(query).mappings().first()
        return (_account(row), row["csrf"]) if row else None

    def end_session(self, key: str) -> None:
        with self.engine.begin() as db:
            db.execute(sessions.delete().where(sessions.c.key == key))

    # --- checks and submissions -----------------------------------------------------------------

    def add_check(self, account: Account, original: str, stored: str, sha256: str, size: int,
                  report: dict[str, Any], errors: int, warnings: int, codes: Iterable[str] = ()) -> int:
        """Record a check with the project codes of its workbook (one transaction)."""
        with self.engine.begin() as db:
            result = db.execute(checks.insert().values(
                account_id=account.id, branch=account.branch, original=original, stored=stored, sha256=sha256,
                size=size, errors=errors, warnings=warnings, report=json.dumps(report, ensure_ascii=False),
                created=now()))
            check_id = result.inserted_primary_key[0]
            unique = sorted(set(codes))
            if unique:
                db.execute(check_codes.insert(), [{"check_id": check_id, "code": code} for code in unique])
            return check_id

    def codes(self, check_id: int) -> list[str]:
        """The project codes of a check's workbook."""
        with self.engine.connect() as db:
            return list(db.execute(sa.select(check_codes.c.code).where(check_codes.c.check_id == check_id)
                                   .order_by(check_codes.c.code)).scalars())

    def held_codes(self, except_branch: str | None = None) -> dict[str, dict[str, Any]]:
        """The project codes branches hold (other than `except_branch`), each with the branch and the submission
        that holds it: every pending submission (it may still be approved) and each branch's newest approved one
        (the one a generation job takes). A returned submission, or an approved one a newer approval replaced,
        holds nothing. Keyed by code_key (codes differing only in case or width are one code); each entry
        keeps the code as that branch wrote it ("code")."""
        query = (sa.select(submissions.c.id, submissions.c.branch, submissions.c.version, submissions.c.status,
                           submissions.c.check_id, check_codes.c.code)
                 .join(check_codes, check_codes.c.check_id == submissions.c.check_id)
                 .where(submissions.c.status.in_(("pending", "approved")))
                 .order_by(submissions.c.branch, submissions.c.version.desc()))
        if except_branch is not None:
            query = query.where(submissions.c.branch != except_branch)
        held: dict[str, dict[str, Any]] = {}
        newest_approved: dict[str, int] = {}
        with self.engine.connect() as db:
            for row in db.execute(query).mappings():
                if row["status"] == "approved" and newest_approved.setdefault(row["branch"], row["id"]) != row["id"]:
                    continue
                held.setdefault(code_key(row["code"]), {"code": row["code"], "branch": row["branch"],
                                                        "submission": row["id"], "version": row["version"],
                                                        "status": row["status"]})
        return held

    def check(self, check_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as db:
            row = db.execute(sa.select(checks).where(checks.c.id == check_id)).mappings().first()
        return _check(row) if row else None

    def submit(self, check_id: int, branch: str) -> int:
        """Hand in a check as the branch's next version (one transaction: the version numbers never repeat)."""
        with self.engine.begin() as db:
            last = db.execute(sa.select(sa.func.max(submissions.c.version)).where(submissions.c.branch == branch))
            version = (last.scalar() or 0) + 1
            db.execute(submissions.insert().values(check_id=check_id, branch=branch, version=version,
                                                   status="pending", created=now()))
        return version

    def submissions(self, branch: str | None = None) -> list[dict[str, Any]]:
        """Submissions (newest first) with their check's file name and counts; one branch's, or all."""
        query = (sa.select(submissions, checks.c.original, checks.c.errors, checks.c.warnings)
                 .join(checks, checks.c.id == submissions.c.check_id)
                 .order_by(submissions.c.branch, submissions.c.version.desc()))
        if branch is not None:
            query = query.where(submissions.c.branch == branch)
        with self.engine.connect() as db:
            return [dict(r) for r in db.execute(query).mappings()]

    def submission(self, submission_id: int) -> dict[str, Any] | None:
        """One submission, as submissions() gives it, or None."""
        query = (sa.select(submissions, checks.c.original, checks.c.errors, checks.c.warnings)
                 .join(checks, checks.c.id == submissions.c.check_id).where(submissions.c.id == submission_id))
        with self.engine.connect() as db:
            row = db.execute(query).mappings().first()
        return dict(row) if row else None

    def review(self, submission_id: int, status: str, note: str | None = None) -> bool:
        """Set a submission's status and note; False when there is no such submission."""
        with self.engine.begin() as db:
            result = db.execute(submissions.update().where(submissions.c.id == submission_id)
                                .values(status=status, note=note, reviewed=now()))
            return result.rowcount == 1

    def checks_since(self, branch: str, since: dt.datetime) -> int:
        """How many workbooks the branch has uploaded since `since`."""
        with self.engine.connect() as db:
            return db.execute(sa.select(sa.func.count()).select_from(checks)
                              .where(checks.c.branch == branch, checks.c.created >= since)).scalar() or 0

    def latest_checks(self) -> dict[str, dict[str, Any]]:
        """Each branch's last check (whether handed in or not), by branch."""
        with self.engine.connect() as db:
            newest = sa.select(checks.c.branch, sa.func.max(checks.c.id).label("id")).group_by(checks.c.branch) \
                .subquery()
            rows = db.execute(sa.select(checks).join(newest, checks.c.id == newest.c.id)).mappings()
            return {r["branch"]: _check(r) for r in rows}


    def approved(self) -> list[dict[str, Any]]:
        """Each branch's newest approved submission, with its stored file's name."""
        query = (sa.select(submissions.c.branch, submissions.c.version, checks.c.stored, checks.c.original,
                           checks.c.sha256)
                 .join(checks, checks.c.id == submissions.c.check_id)
                 .where(submissions.c.status == "approved")
                 .order_by(submissions.c.branch, submissions.c.version.desc()))
        newest: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as db:
            for row in db.execute(query).mappings():
                newest.setdefault(row["branch"], dict(row))
        return list(newest.values())

    # --- jobs ----------------------------------------------------------------------------------

    def add_job(self, account: Account, settings: dict[str, Any]) -> int:
        with self.engine.begin() as db:
            result = db.execute(jobs.insert().values(account_id=account.id, status="running", created=now(),
                                                     settings=json.dumps(settings, ensure_ascii=False)))
            return result.inserted_primary_key[0]

    def update_job(self, job_id: int, **values: Any) -> None:
        with self.engine.begin() as db:
            db.execute(jobs.update().where(jobs.c.id == job_id).values(**values))

    def job(self, job_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as db:
            row = db.execute(sa.select(jobs).where(jobs.c.id == job_id)).mappings().first()
        return _job(row) if row else None

    def jobs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as db:
            return [_job(r) for r in db.execute(sa.select(jobs).order_by(jobs.c.id.desc())).mappings()]

    def interrupt_running(self) -> int:
        """Jobs left running by a server that stopped: interrupted (they can be resumed)."""
        with self.engine.begin() as db:
            result = db.execute(jobs.update().where(jobs.c.status == "running")
                                .values(status="interrupted", stage=None, finished=now()))
            return result.rowcount


def copy_upload(stored: Path, target: Path) -> None:
    """A stored workbook copied to `target`, with the 活动照片 kept beside it (in its own folder) beside the copy."""
    shutil.copyfile(stored, target)
    if stored.parent.name == stored.stem:  # uploads/<name>/<name>.xlsx: the photos came with it
        for photo in stored.parent.iterdir():
            if photo != stored and photo.is_file():
                shutil.copyfile(photo, target.parent / photo.name)


def file_inside(folder: Path, relative: str) -> Path | None:
    """folder/relative when it is a file inside `folder` (after every link and "..") and neither it nor a
    folder on its way is hidden (docgen's work files); None otherwise, whatever the URL asked for."""
    root = folder.resolve()
    target = (root / relative).resolve()
    if not target.is_file() or not target.is_relative_to(root) or any(p.startswith(".") for p in Path(relative).parts):
        return None
    return target


def _check(row: Any) -> dict[str, Any]:
    return {**row, "report": json.loads(row["report"])}


def _account(row: Any) -> Account:
    return Account(**{k: row[k] for k in ("id", "name", "role", "branch", "password", "activation")},
                   active=bool(row["active"]))


def _job(row: Any) -> dict[str, Any]:
    found = dict(row)
    found["settings"] = json.loads(found["settings"])
    return found


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """SQLite as a server's store: foreign keys enforced, readers never wait for a writer (WAL)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema (Alembic's migrations in web/migrations)."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    settings = AlembicConfig()
    settings.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    settings.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(settings, "head")


def sample_accounts(store: Store, branches: list[str]) -> list[tuple[str, str, str]]:
    """An administrator and one account per branch, each with a new random password, made once:
    [(login name, branch or 党建部, password)] of the accounts made now (none when they exist)."""
    from .security import hash_password, new_password

    made = []
    wanted = [("admin", "admin", None)] + [(f"branch{n}", "branch", b) for n, b in enumerate(branches, start=1)]
    for name, role, branch in wanted:
        if store.account(name=name) is not None:
            continue
        password = new_password(name)
        store.add_account(name, role, branch, password=hash_password(password))
        made.append((name, branch or "党建部管理员", password))
    return made
