"""Is the write-ahead log beside the database damaged?

SQLite replays the ``-wal`` file frame by frame while each frame's running checksum holds and
silently ignores the rest. After a crash that is right (the last, unfinished transaction is
dropped), but a damaged frame in the middle would silently drop committed changes that follow
it. So before the database is opened we look for that case: a frame that fails its checksum,
followed by a later commit frame of the same WAL generation (same salts).
"""
from __future__ import annotations

import struct
from pathlib import Path

HEADER, FRAME_HEADER = 32, 24
MAGIC = (0x377F0682, 0x377F0683)


def _checksum(data: bytes, s0: int, s1: int, big: bool) -> tuple[int, int]:
    words = struct.unpack((">" if big else "<") + f"{len(data) // 4}I", data)
    mask = 0xFFFFFFFF
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & mask
        s1 = (s1 + words[i + 1] + s0) & mask
    return s0, s1


def damaged_frames(path: Path) -> int | None:
    """The 1-based number of the first damaged frame whose loss would drop committed data.

    None when the WAL is absent, empty, of another generation or merely ends in an unfinished
    transaction."""
    wal = Path(str(path) + "-wal")
    if not wal.exists() or wal.stat().st_size <= HEADER:
        return None
    with open(wal, "rb") as fh:
        head = fh.read(HEADER)
        magic, _version, page_size, _seq, salt1, salt2, c0, c1 = struct.unpack(">8I", head)
        if magic not in MAGIC or page_size < 512:
            return 1 if any(head) else None
        big = magic & 1 == 1
        s0, s1 = _checksum(head[:24], 0, 0, big)
        if (s0, s1) != (c0, c1):
            return 1
        frame_no, bad = 0, None
        while True:
            fh_bytes = fh.read(FRAME_HEADER)
            page = fh.read(page_size)
            if len(fh_bytes) < FRAME_HEADER or len(page) < page_size:
                return None
            frame_no += 1
            _pgno, commit, fs1, fs2, f0, f1 = struct.unpack(">6I", fh_bytes)
            if (fs1, fs2) != (salt1, salt2):
                return None
            if bad is None:
                n0, n1 = _checksum(fh_bytes[:8], s0, s1, big)
                n0, n1 = _checksum(page, n0, n1, big)
                if (n0, n1) == (f0, f1):
                    s0, s1 = n0, n1
                    continue
                bad = frame_no
            elif commit:
                return bad
