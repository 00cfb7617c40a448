"""Running package imports from files, as the command line and the 数据交换 page do: one package
as one unit of work after a verified safety backup, or a batch (the district's month); the
page cache of a bulk import; the 回执 files written after the commit. The import itself —
checks, plan, apply — is :mod:`app.sync.importer`."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from app import backups
from app.errors import ValidationError
from app.permissions import Actor
from app.sync import cards, format as fmt, log
from app.sync.checks import ChainBroken
from app.sync.format import PackageRefused
from app.sync.importer import ImportResult, import_package, record_alarm
from app.sync.prefetch import Prefetcher

BULK_CACHE_KIB = 512 * 1024
MAX_CACHE_KIB = 2 * 1024 * 1024  # a batch at district size (the cache grows only as pages are read)
NORMAL_CACHE_KIB = 65536  # db.engine's setting
GROWTH_PER_PACKAGE_BYTE = 30  # a package's records take ~30× its file in the database (indexes,
#                               search terms, audit entries: 1.36 MB of 5,000 households → ~36 MB)


def bulk_cache_kib(database, incoming: int = 0) -> int:  # noqa: ANN001
    """The page cache of a bulk import: room for the whole database file (a page read again after
    it left the cache is read and decrypted again: at district size that doubled the time of the
    last packages) and for what ``incoming`` bytes of packages will add to it, at least
    BULK_CACHE_KIB, at most MAX_CACHE_KIB."""
    size = database.path.stat().st_size // 1024 if database.path is not None and database.path.exists() else 0
    size += incoming * GROWTH_PER_PACKAGE_BYTE // 1024
    return max(BULK_CACHE_KIB, min(MAX_CACHE_KIB, size + size // 4))


def grow_cache(database, incoming: int = 0) -> None:  # noqa: ANN001
    """Set the bulk page cache for the database's present size and the ``incoming`` packages'
    bytes (a batch in one transaction counts all of its packages: its file does not grow until
    the commit; growing the cache keeps the pages already cached)."""
    with database.engine.connect() as conn:  # the thread's one pooled connection (SingletonThreadPool)
        conn.exec_driver_sql(f"PRAGMA cache_size = -{bulk_cache_kib(database, incoming)}")


@contextmanager
def _bulk_cache(database, enabled: bool) -> Iterator[None]:  # noqa: ANN001
    """A bulk import keeps the growing indexes in a larger page cache (as bench/district); the
    normal size afterwards. Shrinking drops the cached pages, so a batch keeps it for all packages."""
    if not (enabled and database.is_sqlite):
        yield
        return
    grow_cache(database)
    try:
        yield
    finally:
        with database.engine.connect() as conn:
            conn.exec_driver_sql(f"PRAGMA cache_size = -{NORMAL_CACHE_KIB}")


def reports_folder(database) -> Path | None:  # noqa: ANN001
    """Where the report PDFs that packages carry are kept: beside the database (收到的报表), not
    on the USB stick the package came on; None on PostgreSQL (then beside the 回执)."""
    return database.path.parent / "收到的报表" if database.path is not None else None


def _write_acks(files: list[Callable[[], None]]) -> None:
    """The 回执 files (and the report PDFs received), written only after the import is committed:
    an acknowledgement of a package the database does not hold would make its sender skip those
    changes next time."""
    for write in files:
        write()


def run_import(database, actor: Actor, path: Path | str, *, dry_run: bool = False,  # noqa: ANN001
               ack_dir: Path | str | None = None, batch: bool = False, data: bytes | None = None,
               prepared: object | None = None) -> ImportResult:
    """One import as one unit of work (the CLI and the GUI both call this). ``batch=True`` only
    from :func:`run_imports`, which took the safety backup and set the page cache for all, and
    may give the file's bytes already read and the worker's reading of them (``prepared``)."""
    path = Path(path)
    data = data if data is not None else fmt.read_file(path)
    if not (batch or dry_run):  # a verified backup before anything can be written (None on PostgreSQL)
        backups.safety_backup(database, "exchange")
    files: list = []
    try:
        with _bulk_cache(database, not (batch or dry_run)), database.session(write=not dry_run, durable=True) as s:
            log.take_import_lock(s)
            result = import_package(s, actor, data, dry_run=dry_run, file_name=path.name,
                                    reports_dir=reports_folder(database),
                                    ack_dir=None if dry_run else Path(ack_dir or path.parent), files=files,
                                    prepared=prepared)
    except ChainBroken as exc:
        if not dry_run:
            m = fmt.read_zip(data).manifest
            with database.session() as s:
                record_alarm(s, actor, exc, m["period"], m["seq"])
        raise
    _write_acks(files)
    return result


@dataclass
class BatchItem:
    path: str
    result: ImportResult | None = None
    refused: str | None = None  # the reason a package was not imported


def run_imports(database, actor: Actor, paths: list[Path | str], *, dry_run: bool = False,  # noqa: ANN001
                ack_dir: Path | str | None = None,
                progress: Callable[[int, int, str], None] | None = None) -> list[BatchItem]:
    """Several packages at once (the district's month: one from each township). One verified
    safety backup before the first (restoring it undoes the whole batch); every package passes
    all the checks of :func:`import_package`, and a refused one is reported with its reason while
    the others go on. On PostgreSQL each package is its own transaction, as :func:`run_import`; on
    SQLite (one writer anyway) the whole batch is one transaction — all of it or none of it — so
    that each page of the growing indexes is encrypted and written once, not once per package
    (at district size that was most of the time); meanwhile a worker process reads the next
    package (``app.sync.prefetch``). Any other error stops and undoes the batch. The 回执 files
    are written after the commit. The packages are imported in sequence (:func:`in_sequence`);
    the items come back in the order given."""
    given = [Path(p) for p in paths]
    order = _sequence_order(given)
    paths = [given[i] for i in order]
    if not dry_run and paths:
        backups.safety_backup(database, "exchange")
    if database.is_sqlite and not dry_run:
        items = _one_transaction(database, actor, paths, ack_dir, progress)
    else:
        items = _each_in_its_transaction(database, actor, paths, dry_run, ack_dir, progress)
    as_given: list[BatchItem] = [None] * len(items)  # type: ignore[list-item]
    for item, i in zip(items, order):
        as_given[i] = item
    return as_given


def _each_in_its_transaction(database, actor: Actor, paths: list[Path], dry_run: bool,  # noqa: ANN001
                             ack_dir: Path | str | None,
                             progress: Callable[[int, int, str], None] | None) -> list[BatchItem]:
    """PostgreSQL (or a dry run): each package its own transaction; the worker reads the next one."""
    out = []
    with database.session(write=False) as s:
        key = None if dry_run else _box_key(s)
    with Prefetcher(key, database.engine.dialect.name) as ahead:
        read: dict[int, bytes] = {}
        for i, path in enumerate(paths):
            if progress:
                progress(i, len(paths), f"正在导入：{path.name}")
            item = BatchItem(str(path))
            data = _turn(ahead, read, paths, i)
            try:
                item.result = run_import(database, actor, path, dry_run=dry_run, ack_dir=ack_dir, batch=True,
                                         data=data, prepared=ahead.take(i))
            except PackageRefused as exc:
                item.refused = str(exc)
            out.append(item)
    if progress:
        progress(len(paths), len(paths), "导入完成")
    return out


def _one_transaction(database, actor: Actor, paths: list[Path], ack_dir: Path | str | None,  # noqa: ANN001
                     progress: Callable[[int, int, str], None] | None) -> list[BatchItem]:
    out, files = [], []
    incoming = sum(_file_size(p) for p in paths)
    with _bulk_cache(database, True), database.session(durable=True) as s, Prefetcher(_box_key(s)) as ahead:
        log.take_import_lock(s)
        read: dict[int, bytes] = {}
        for i, path in enumerate(paths):
            if progress:
                progress(i, len(paths), f"正在导入：{path.name}")
            grow_cache(database, incoming)
            item = BatchItem(str(path))
            try:
                data = _turn(ahead, read, paths, i) or fmt.read_file(path)
                with s.begin_nested():  # a package refused after all is undone alone
                    item.result = import_package(s, actor, data, file_name=path.name,
                                                 reports_dir=reports_folder(database),
                                                 ack_dir=Path(ack_dir or path.parent), files=files,
                                                 prepared=ahead.take(i))
            except ChainBroken as exc:  # kept visible: district status and exchange log
                m = fmt.read_zip(data).manifest
                record_alarm(s, actor, exc, m["period"], m["seq"])
                item.refused = str(exc)
            except PackageRefused as exc:
                item.refused = str(exc)
            out.append(item)
        if progress:
            progress(len(paths), len(paths), "正在保存……")
    _write_acks(files)
    if progress:
        progress(len(paths), len(paths), "导入完成")
    return out


def in_sequence(paths: list[Path]) -> list[Path]:
    """The packages in the order they can be imported: each sender's by sequence number (a
    clerk picks the files in any order, and the 5th before the 4th would be refused for the
    gap), the senders in the order first picked; a file whose manifest cannot be read keeps its
    turn after them (its import then says why)."""
    return [paths[i] for i in _sequence_order(paths)]


def _sequence_order(paths: list[Path]) -> list[int]:
    """:func:`in_sequence` as positions in ``paths``."""
    first: dict[str, int] = {}
    keys = []
    for index, path in enumerate(paths):
        m = fmt.peek_manifest(path)  # the manifest member only: each file is read whole in its turn
        sender, seq = (m.get("sender"), m.get("seq")) if m is not None else (None, None)
        if isinstance(sender, str) and type(seq) is int:
            keys.append((0, first.setdefault(sender, index), seq, index))
        else:
            keys.append((1, 0, 0, index))
    return [k[-1] for k in sorted(keys)]


def _box_key(session) -> bytes | None:  # noqa: ANN001
    """Our decryption key for the worker process (None without keys: nothing is prepared, and
    the import says why as it does without a worker)."""
    try:
        box = cards.own_keys(session).box
    except ValidationError:
        return None
    return box.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def _file_size(path: Path) -> int:
    """A package file's size (given as its first volume: that one's, near enough; as the base
    name of volumes: theirs); 0 if it is not there (its turn says so)."""
    if path.exists():
        return path.stat().st_size
    return sum(v.stat().st_size for v in path.parent.glob(path.name + ".[0-9][0-9][0-9]"))


def _turn(ahead: Prefetcher, read: dict[int, bytes], paths: list[Path], i: int) -> bytes | None:
    """Package ``i``'s bytes if they were read ahead (else None); the next package is read now
    and handed to the worker, to be decrypted and decoded while this one is imported."""
    data = read.pop(i, None)
    if i + 1 < len(paths) and (following := _read_ahead(paths[i + 1])) is not None:
        read[i + 1] = following
        ahead.submit(i + 1, following)
    return data


def _read_ahead(path: Path) -> bytes | None:
    """The next package's bytes, or None if it cannot be read (its turn reads it again and
    reports why, in order)."""
    try:
        return fmt.read_file(path)
    except (PackageRefused, OSError):
        return None


__all__ = ["BatchItem", "run_import", "run_imports"]
