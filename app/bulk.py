"""Writing many new records at once (a district roster: 100,000 members) without giving up
anything the one-by-one path guarantees.

* :func:`insert_rows` sends rows with one compiled INSERT per table and the driver's
  ``executemany``; each value goes through its column type's bind processor for the session's
  database, as SQLAlchemy's own executemany does, without its per-row bookkeeping.
* :func:`audit_new` appends one audit entry per new record (entity, id, full state), continuing
  the hash chain exactly as :func:`app.audit.record` does — same entry form, same canonical JSON,
  same hash — so ``audit verify`` and each record's history read them like any other entry.
"""
from __future__ import annotations

import gc
import hashlib
import json
import operator
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat
from operator import itemgetter

from sqlalchemy import Date, DateTime, Numeric, Table, bindparam, insert
from sqlalchemy.orm import Session

from app import audit
from app.permissions import Actor
from db.models import AuditEntry, utcnow

CHUNK = 5000
LARGE_CACHE_MIB = 512
AUDIT_COLUMNS = ("seq", "ts", "username", "office", "action", "entity", "entity_id", "before", "after",
                 "prev_hash", "hash")
_STRING = json.encoder.encode_basestring  # a str as canonical JSON writes it (ensure_ascii=False)


def insert_rows(session: Session, table: Table, rows: list, *, columns: Sequence[str] | None = None,
                chunk: int = CHUNK) -> None:
    """INSERT ``rows`` into ``table`` in the session's transaction: dicts with the same keys, or
    tuples of the values of ``columns`` in that order.

    On SQLite a column holding the very same value in every row of a chunk (the import's office,
    time stamp and user, the columns left empty …) is written into the statement once as a
    literal instead of being bound on every row: binding is most of the driver's cost per row
    (a member has 20 columns, half of them the same in every row)."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    keys = list(columns) if columns is not None else list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    procs = {k: _memo(table.c[k].type.dialect_impl(dialect).bind_processor(dialect)) for k in keys}
    missing = [name for name in compiled.binds if name not in procs]
    if missing:  # a column with a default the caller left out: the driver would not compute it
        raise ValueError(f"insert_rows({table.name}): give {', '.join(missing)} explicitly")
    order = list(compiled.positiontup) if compiled.positional else keys
    at = {k: i for i, k in enumerate(keys)}
    processed = [(i, procs[k]) for i, k in enumerate(order) if procs[k] is not None]
    fold = dialect.name == "sqlite" and compiled.positional
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(table.c[k].name) for k in order)}) VALUES "
    # column by column: the values taken out of every row at C speed, only the columns with a
    # bind processor (dates, times, amounts) converted value by value
    getters = [itemgetter(at[k] if columns is not None else k) for k in order]

    def statement(part: list) -> tuple[str, list]:
        cols = [list(map(g, part)) for g in getters]
        for i, proc in processed:
            cols[i] = [v if v is None else proc(v) for v in cols[i]]
        if not compiled.positional:
            return compiled.string, [dict(zip(order, values)) for values in zip(*cols)]
        if not fold:
            return compiled.string, list(zip(*cols))
        places, bound = folded(cols)
        return head + "(" + ", ".join(places) + ")", bound

    for i in range(0, len(rows), chunk):
        conn.exec_driver_sql(*statement(rows[i:i + chunk]))


def folded(cols: list[list]) -> tuple[list[str], list[tuple]]:
    """SQLite, the values of an INSERT column by column (each already through its bind
    processor) → the VALUES entry of each column — "?" or, for a column holding the same value
    (equal, of the same type) in every row, its literal — and the rows of the bound values for
    ``executemany``."""
    places = []
    for col in cols:
        first = col[0]
        same = _literal(first)
        if same is not None and (col.count(first) != len(col) or
                                 (first is not None and len(set(map(type, col))) != 1)):
            same = None
        places.append(same or "?")
    if "?" not in places:  # every row alike: still one bound column, so each row is one execution
        places[0] = "?"
    return places, list(zip(*(col for col, place in zip(cols, places) if place == "?")))


def _literal(value: object) -> str | None:
    """``value`` (already through its bind processor) as an SQLite literal that stores exactly
    what binding it would store, or None where a literal could differ (a float's digits) or is
    not plain (a NUL in a text)."""
    if value is None:
        return "NULL"
    t = value.__class__
    if t is int:
        return int.__repr__(value)
    if t is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def update_rows(session: Session, table: Table, rows: list[dict], *, key: str = "id",
                also: dict | None = None, chunk: int = CHUNK) -> None:
    """UPDATE ``table`` SET the columns each row gives (the same keys in every row) WHERE ``key``
    equals the row's ``key`` value; ``also`` adds SQL expressions set alike on every row (e.g.
    ``{"version": table.c.version + literal_column("1")}``)."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    cols = [k for k in rows[0] if k != key]
    stmt = table.update().where(table.c[key] == bindparam("b_" + key)).values(
        {**{k: bindparam("b_" + k) for k in cols}, **(also or {})})
    compiled = stmt.compile(dialect=dialect)
    names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
    if any(not n.startswith("b_") or n[2:] not in rows[0] for n in names):
        raise ValueError(f"update_rows({table.name}): only bound row values may be parameters ({names})")
    procs = {n: _memo(table.c[n[2:]].type.dialect_impl(dialect).bind_processor(dialect)) for n in names}

    def params(row: dict) -> tuple | dict:
        values = [row[n[2:]] if procs[n] is None or row[n[2:]] is None else procs[n](row[n[2:]]) for n in names]
        return tuple(values) if compiled.positional else dict(zip(names, values))

    for i in range(0, len(rows), chunk):
        conn.exec_driver_sql(compiled.string, [params(r) for r in rows[i:i + chunk]])


@contextmanager
def large_cache(session: Session, mib: int = LARGE_CACHE_MIB) -> Iterator[None]:
    """SQLite: a page cache of ``mib`` MiB while many rows go in (the indexes of a district roster
    outgrow the usual 64 MiB: evicted pages would be encrypted, written, read back and decrypted
    again), the usual size again afterwards. Memory is taken only as pages are used."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar())
    conn.exec_driver_sql(f"PRAGMA cache_size = -{mib * 1024}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {before}")


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while an import builds its hundreds of thousands of rows,
    cells and plans (reference counting still frees them as usual; anything caught in a cycle
    waits for the next collection). Each collection would walk every live object again — at 100,000 members that is
    a third of the preview's time. The collector runs again as before afterwards; what the work
    left alive (the plan, the preview) joins the oldest generation directly (``freeze`` then
    ``unfreeze``), instead of being walked by the next young collections — at 100,000 members
    one such walk took 0.3 s. Cycles among those objects are found by the next full collection."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _memo(proc: Callable[[object], object] | None) -> Callable[[object], object] | None:
    """A bind processor remembering its results (one time stamp, few dates: the same values
    recur thousands of times in an import)."""
    if proc is None:
        return None
    cache: dict[object, object] = {}

    def process(value: object) -> object:
        try:
            return cache[value]
        except KeyError:
            out = cache[value] = proc(value)
            return out
    return process


def state_json(table: Table) -> Callable[[dict], str]:
    """A row dict (every column of ``table``) → the canonical JSON of its audited state, exactly
    as ``app.audit.canonical(app.audit.state(record))`` gives it for the stored record: values
    converted by column type (app.audit.plain), keys in sorted order, written piece by piece —
    a piece whose value is the very object of the previous row (the import's time stamp, the
    office, None …) is not written again."""
    typed = {c.key for c in table.columns if isinstance(c.type, (DateTime, Date, Numeric))}
    spec = [(k, _STRING(k) + ":", k in typed) for k in sorted(c.key for c in table.columns)]
    unset = object()
    last: dict[str, tuple[object, str]] = {k: (unset, "") for k, _p, _t in spec}

    def encode(row: dict) -> str:
        parts = []
        for k, prefix, conv in spec:
            v = row[k]
            prev = last[k]
            if v is prev[0]:
                parts.append(prev[1])
                continue
            piece = prefix + _value(audit.plain(v) if conv and v is not None else v)
            last[k] = (v, piece)
            parts.append(piece)
        return "{" + ",".join(parts) + "}"

    return encode


def state_jsons(table: Table, rows: list[dict]) -> list[str]:
    """:func:`state_json` of every row at once, the same text: a column holding the very same
    object in every row (the import's time stamp, the office, None …) is written once into a
    template, the others column by column; each row's JSON is then one ``%`` formatting."""
    if not rows:
        return []
    typed = {c.key for c in table.columns if isinstance(c.type, (DateTime, Date, Numeric))}
    template, columns = [], []
    for k in sorted(c.key for c in table.columns):
        get = itemgetter(k)
        first = get(rows[0])
        prefix = _STRING(k) + ":"
        if all(map(operator.is_, map(get, rows), repeat(first))):
            template.append((prefix + _value(audit.plain(first) if k in typed and first is not None else first))
                            .replace("%", "%%"))
        else:
            template.append(prefix.replace("%", "%%") + "%s")
            columns.append(_pieces(list(map(get, rows)), k in typed))
    form = "{" + ",".join(template) + "}"
    if not columns:
        return [form.replace("%%", "%")] * len(rows)
    return [form % values for values in zip(*columns)]


def _pieces(col: list, typed: bool) -> list[str]:
    """The JSON values of one column (typed: converted by app.audit.plain, each distinct value once)."""
    if not typed:
        return [_STRING(v) if v.__class__ is str else _value(v) for v in col]
    memo: dict[tuple[type, object], str] = {}
    out = []
    for v in col:
        key = (v.__class__, v)
        piece = memo.get(key)
        if piece is None:
            piece = memo[key] = _value(audit.plain(v) if v is not None else v)
        out.append(piece)
    return out


def _value(v: object) -> str:
    """One JSON value as app.audit.canonical writes it."""
    if v is None:
        return "null"
    t = v.__class__
    if t is str:
        return _STRING(v)
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return int.__repr__(v)
    return audit.canonical(v)


def fresh_ids(n: int) -> list[str]:
    """``n`` new record ids, each as :func:`db.models.new_id` makes them (random UUID version 4,
    in its usual text form), from one read of the system's random source."""
    raw = os.urandom(16 * n).hex()
    out = []
    for i in range(0, 32 * n, 32):
        h = raw[i:i + 32]
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return out


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}  # RFC 4122 variant bits 10


def audit_new(session: Session, actor: Actor, objects: Iterable[tuple[str, str, str, str]]) -> int:
    """Append an audit entry for each new record — (action, entity, entity id, after: the
    canonical JSON of its state, see :func:`state_json`) — continuing the chain in the caller's
    transaction; returns how many were written."""
    head = audit.locked_head(session)
    ts = utcnow()
    seq, prev = head.seq, head.hash
    # the canonical JSON of app.audit.entry_dict, keys in sorted order, written out once per
    # entry: action, after, before, entity, entity_id, office, seq, ts, user
    tail = (f',"office":{_STRING(actor.office_code) if actor.office_code is not None else "null"}',
            f',"ts":{_STRING(audit.plain(ts))},"user":{_STRING(actor.username)}}}')
    rows = []
    sha = hashlib.sha256
    heads: dict[str, str] = {}  # action → the entry's opening, written once per action
    for action, entity, eid, after in objects:
        seq += 1
        head_text = heads.get(action)
        if head_text is None:
            head_text = heads[action] = f'{{"action":{_STRING(action)},"after":'
        entry = (f'{head_text}{_STRING(after)},"before":null,'
                 f'"entity":{_STRING(entity)},"entity_id":{_STRING(eid)}{tail[0]},"seq":{seq}{tail[1]}')
        digest = sha((prev + entry).encode()).hexdigest()
        rows.append((seq, ts, actor.username, actor.office_code, action, entity, eid, None, after, prev, digest))
        prev = digest
    insert_rows(session, AuditEntry.__table__, rows, columns=AUDIT_COLUMNS)
    head.seq, head.hash = seq, prev
    session.flush()
    return len(rows)
