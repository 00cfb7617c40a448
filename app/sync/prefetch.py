"""Reading the next package of a batch on the second core while this one is applied.

A district imports a month's packages one after the other; applying one keeps one core busy
(SQLite's driver holds the interpreter lock for every row, so a thread would not help). The
pure work of the next package — decrypting, decompressing, decoding its JSON Lines, checking
each record's form (``tables.check_plain``), writing each record's canonical JSON for its
audit entry and its stored values on SQLite, the search terms of its households — runs
meanwhile in a worker process, which touches no database.

Nothing is trusted from the worker: the main process still runs every check of
``checks.open_package`` on the same bytes, in the same order (form, sender, signature,
recipient, already imported, sequence), and only where it would decrypt does it take the
worker's sections instead — the result of the same functions on the same bytes. When the
worker found anything wrong (or is not there) the main process does the work itself, so a
refused package is refused with the same reason, and nothing of it is written.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.sync import checks, format as fmt, searchindex, tables
from app.sync.format import PackageRefused

ENABLED = True  # tests turn it off to compare


@dataclass
class Prepared:
    """What the worker made of a package's bytes (for the package whose manifest hash it is)."""

    hash: str
    sections: dict[str, list[dict]]
    refusals: dict[str, list[str | None]]  # per table, per row: check_plain's reason or None
    texts: dict[str, list[str]]  # per table, per row: its canonical JSON (app.audit.canonical)
    stored: dict[str, list[tuple]]  # per table whose rows all passed: tables.stored_rows of them
    terms: Terms | None = None
    dialect: str = "sqlite"  # the database ``stored`` is for


@dataclass
class Terms:
    """The search terms of the package's households as if all were new, with all the package's
    members and the package's village names: what ``searchindex.new_terms`` gives the main
    process when that is so (``matches`` says whether it is)."""

    households: frozenset[str]
    members: int
    names: dict[str, str]  # village id -> name, of the households' villages the package carries
    rows: list[tuple]

    def matches(self, households: list[dict], members: list[dict], names: dict[str, str]) -> bool:
        """The main process's arguments of ``new_terms`` give these rows: the same households,
        all their members in the package (those accepted are a part of them: the same count is
        all of them), and each of their villages the same name."""
        return (len(households) == len(self.households) and len(members) == self.members
                and all(h["id"] in self.households for h in households)
                and all(names.get(v) == self.names.get(v) for v in {h["village_id"] for h in households}))


def prepare(data: bytes, box_private: bytes, dialect: str = "sqlite") -> Prepared | None:
    """The worker's job: None when the package is refused on the way (the main process then
    finds the reason itself, in its order of checks). ``dialect``: the importing database's."""
    try:
        raw = fmt.read_zip(data)
        m = raw.manifest
        checks.check_manifest(m)
        plain = fmt.decompress(fmt.decrypt(raw.payload, m["key"], X25519PrivateKey.from_private_bytes(box_private)),
                               m["compression"], m["plain_size"])
        sections = fmt.decode_sections(plain, m["sections"])
    except PackageRefused:
        return None
    canonical = tables.canonical_encoder()
    refusals, texts, stored = {}, {}, {}
    known = set(tables.TOWNSHIP_TABLES) | set(tables.DISTRICT_TABLES)
    for entity, rows in sections.items():
        if entity not in known:
            continue
        reasons = []
        for row in rows:
            try:
                tables.check_plain(entity, row)
                reasons.append(None)
            except ValueError as exc:
                reasons.append(str(exc))
        refusals[entity] = reasons
        texts[entity] = [canonical(row) for row in rows]
        if rows and reasons.count(None) == len(rows):
            stored[entity] = tables.stored_rows(dialect, entity, rows)
    return Prepared(raw.hash, sections, refusals, texts, stored, _terms(sections, refusals), dialect)


def _terms(sections: dict[str, list[dict]], refusals: dict[str, list[str | None]]) -> Terms | None:
    households = [h for h, reason in zip(sections.get("household", []), refusals.get("household", []))
                  if reason is None]
    if not households:
        return None
    ids = frozenset(h["id"] for h in households)
    if len(ids) != len(households):  # a household twice: the main process refuses the second
        return None
    members = [m for m, reason in zip(sections.get("member", []), refusals.get("member", []))
               if reason is None and m["household_id"] in ids]
    villages = {v["id"]: v["name"] for v, reason in zip(sections.get("village", []), refusals.get("village", []))
                if reason is None}
    names = {h["village_id"]: villages[h["village_id"]] for h in households if h["village_id"] in villages}
    return Terms(ids, len(members), names, searchindex.new_terms(households, members, names))


def _worker_start() -> None:
    # the worker only builds and hands back plain rows: no cyclic garbage collection (each
    # collection would walk every row of the package being prepared again)
    gc.disable()


class Prefetcher:
    """One worker process for a batch: ``submit`` the next package's bytes, ``take`` them back
    prepared (or None: the main process does the work). Only where there is a second core;
    elsewhere it prepares nothing. The worker is a new interpreter (it imports what it needs,
    about a second, while the main process reads the first package itself)."""

    def __init__(self, box_private: bytes | None, dialect: str = "sqlite"):
        self._key, self._dialect = box_private, dialect
        self._pool: ProcessPoolExecutor | None = None
        self._pending: dict[int, Future] = {}
        if ENABLED and box_private is not None and (os.cpu_count() or 1) > 1:
            # a new interpreter ("spawn", as on Windows), not a fork: the importing process has
            # threads (the GUI's workers) whose locks a forked copy could inherit held
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_worker_start)

    def submit(self, index: int, data: bytes) -> None:
        if self._pool is not None:
            self._pending[index] = self._pool.submit(prepare, data, self._key, self._dialect)

    def take(self, index: int) -> Prepared | None:
        future = self._pending.pop(index, None)
        if future is None:
            return None
        try:
            return future.result()
        except BrokenProcessPool:  # the worker died (e.g. out of memory): the main process does it
            self.close()
            return None

    def close(self) -> None:
        if self._pool is not None:
            for future in self._pending.values():
                future.cancel()
            self._pending.clear()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Prefetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["Prefetcher", "Prepared", "Terms", "prepare"]
