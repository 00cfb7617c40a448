"""The parsed metrics of a TrueType font, kept between runs.

reportlab parses a font's tables (cmap, widths, glyph offsets) every time the program starts:
for the shipped 21 MB AR PL UMing that is 0.15–0.3 s of every PDF, about a fifth of a
``report gongshi`` run. The parse result is plain data (numbers, strings, dicts); it is written
once with :mod:`marshal` (data only, no code) to the user's cache folder and read back in a few
milliseconds. The cache is keyed by the font file (path, size, modification time, subfont) and
the reportlab version; anything that does not match, or a damaged cache file, means a normal
parse (and a fresh cache file). The font file itself is still read: the PDF embeds a subset
of it.
"""
from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path

import reportlab
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFont, TTFontFace

FORMAT = 1
_NOT_CACHED = ("_ttf_data", "_pdfScale")


def cache_dir() -> Path:
    """``QINGFENG_CACHE`` when set, else the user's cache folder (platformdirs)."""
    env = os.environ.get("QINGFENG_CACHE")
    if env:
        return Path(env) / "fonts"
    import platformdirs

    return Path(platformdirs.user_cache_dir("QingfengLedger", appauthor=False)) / "fonts"


def _key(path: Path, subfont: int) -> tuple[str, dict]:
    st = path.stat()
    ident = {"format": FORMAT, "path": str(path.resolve()), "size": st.st_size, "mtime": st.st_mtime_ns,
             "subfont": subfont, "reportlab": reportlab.Version}
    digest = hashlib.sha256(repr(sorted(ident.items())).encode()).hexdigest()[:24]
    return f"{path.stem}-{subfont}-{digest}.marshal", ident


def _scale(units_per_em: int):  # noqa: ANN202 - reportlab's own unit scaling (ttfonts.TTFontFile)
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


def _load(file: Path, ident: dict, path: Path) -> TTFontFace | None:
    try:
        data = marshal.loads(file.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None  # absent or damaged: parse again
    if not isinstance(data, dict) or data.get("ident") != ident or not isinstance(data.get("face"), dict):
        return None
    face = TTFontFace.__new__(TTFontFace)
    attrs = data["face"]
    for name in data.get("names", ()):
        attrs[name] = TTFNameBytes(attrs[name])
    face.__dict__.update(attrs)
    face._ttf_data = path.read_bytes()
    face._pdfScale = _scale(face.unitsPerEm)
    return face


def _save(file: Path, ident: dict, face: TTFontFace) -> None:
    attrs = {k: v for k, v in face.__dict__.items() if k not in _NOT_CACHED}
    names = [k for k, v in attrs.items() if isinstance(v, TTFNameBytes)]
    for k in names:
        attrs[k] = bytes(attrs[k])
    try:
        blob = marshal.dumps({"ident": ident, "names": names, "face": attrs})
    except ValueError:  # an attribute marshal cannot write (another reportlab): no cache
        return
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(f"{file.name}.{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        os.replace(tmp, file)
        # an older cache of a font of this name (another version, another folder) goes
        for old in file.parent.glob(f"{file.name.rsplit('-', 1)[0]}-*.marshal"):
            if old != file:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only or full cache folder: the next run parses again
        return


def load_font(name: str, path: Path, subfont: int) -> TTFont:
    """``TTFont(name, path, subfontIndex=subfont)``, its parsed tables from the cache when
    they are there. Called under app.documents.fonts' lock (the face class is swapped for the
    duration of the constructor so that reportlab's own ``TTFont.__init__`` does the rest)."""
    path = Path(path)
    file_name, ident = _key(path, subfont)
    file = cache_dir() / file_name
    face = _load(file, ident, path)
    if face is None:
        font = TTFont(name, str(path), subfontIndex=subfont)
        _save(file, ident, font.face)
        return font
    original = ttfonts.TTFontFace
    ttfonts.TTFontFace = lambda *_a, **_kw: face  # noqa: E731 - the constructor's one face
    try:
        return TTFont(name, str(path), subfontIndex=subfont)
    finally:
        ttfonts.TTFontFace = original
