"""Font selection and registration for reportlab, and glyph coverage checks.

Roles: ``song`` (tables, 宋体), ``fangsong`` (report body, 仿宋), ``hei``
(headings, 黑体), ``kai`` (楷体), ``title`` (公文标题, 小标宋).  On Windows the
office fonts under ``C:\\Windows\\Fonts`` are preferred when present; otherwise
(and for any role whose font fails to load) the shipped AR PL UMing
(``resources/fonts/uming.ttc``, Arphic Public Licence) is used.  UMing carries
the rare characters found in names (䶮 堃 㛃 𠇔 喆 玥); the Windows GB2312
fonts do not, so every role also has the shipped font as a per-character
fallback (see :func:`markup`).

Note: reportlab writes a wrong ToUnicode entry for characters outside the
BMP (e.g. 𠇔): they print correctly but text extraction returns garbage.
"""
from __future__ import annotations

import os
import struct
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError

from app.documents import fontcache

ROLES = ("song", "fangsong", "hei", "kai", "title")

SHIPPED_FONT_NAME = "uming.ttc"


def shipped_font_path() -> Path:
    """The shipped AR PL UMing: ``QINGFENG_FONT`` (a file) when set, else
    ``resources/fonts/`` in a PyInstaller bundle (``sys._MEIPASS``) or in the
    source tree."""
    env = os.environ.get("QINGFENG_FONT")
    if env:
        return Path(env)
    roots = [Path(getattr(sys, "_MEIPASS", "")) if getattr(sys, "frozen", False) else None,
             Path(__file__).resolve().parents[2]]
    for root in roots:
        if root is not None and (root / "resources" / "fonts" / SHIPPED_FONT_NAME).is_file():
            return root / "resources" / "fonts" / SHIPPED_FONT_NAME
    raise FileNotFoundError(
        f"找不到随程序附带的字体 resources/fonts/{SHIPPED_FONT_NAME}，无法生成 PDF；请重新安装程序。")


SHIPPED_FONT = Path(__file__).resolve().parents[2] / "resources" / "fonts" / SHIPPED_FONT_NAME
SHIPPED_SUBFONT = 0  # AR PL UMing CN

# (file name, subfont index) in preference order, per role.
WINDOWS_CANDIDATES: dict[str, list[tuple[str, int]]] = {
    "song": [("simsun.ttc", 0), ("simsun.ttf", 0)],
    "fangsong": [("simfang.ttf", 0), ("FS_GB2312.ttf", 0)],
    "hei": [("simhei.ttf", 0)],
    "kai": [("simkai.ttf", 0), ("KAI_GB2312.ttf", 0)],
    "title": [("FZXBSJW.TTF", 0), ("simsun.ttc", 0)],
}

_lock = threading.Lock()
_cache: dict[str | None, "FontSet"] = {}


@dataclass(frozen=True)
class FontFace:
    name: str  # reportlab font name
    path: str
    subfont: int
    cmap: frozenset[int]


@dataclass(frozen=True)
class FontSet:
    roles: dict[str, FontFace]
    fallback: FontFace  # the shipped wide-coverage font

    def face(self, role: str) -> FontFace:
        return self.roles[role]

    def name(self, role: str) -> str:
        return self.roles[role].name


def windows_fonts_dir() -> Path | None:
    """The Windows font folder, or None when not on Windows."""
    if os.name != "nt":
        return None
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


def _register(path: Path, subfont: int) -> FontFace:
    name = f"QF-{path.stem}-{subfont}"
    try:
        font = pdfmetrics.getFont(name)
    except KeyError:
        font = fontcache.load_font(name, path, subfont)
        pdfmetrics.registerFont(font)
    cmap = frozenset(font.face.charToGlyph)
    return FontFace(name, str(path), subfont, cmap)


def get_fonts(fonts_dir: str | os.PathLike | None = "auto") -> FontSet:
    """Register the fonts once (cached per folder) and return them.

    ``fonts_dir``: "auto" = the Windows font folder when on Windows; None =
    shipped font only; a path = look there for the Windows file names (tests).
    """
    if fonts_dir == "auto":
        d = windows_fonts_dir()
    else:
        d = Path(fonts_dir) if fonts_dir is not None else None
    key = str(d) if d else None
    with _lock:
        if key in _cache:
            return _cache[key]
        fallback = _register(shipped_font_path(), SHIPPED_SUBFONT)
        roles: dict[str, FontFace] = {}
        for role in ROLES:
            roles[role] = fallback
            if d is None:
                continue
            for file_name, idx in WINDOWS_CANDIDATES[role]:
                p = d / file_name
                if not p.is_file():
                    continue
                try:
                    roles[role] = _register(p, idx)
                    break
                except (TTFError, OSError, struct.error, ValueError, IndexError):
                    continue  # a Windows font reportlab cannot read (PostScript outlines, a damaged file …)
        fs = FontSet(roles, fallback)
        _cache[key] = fs
        # every canvas starts in an embedded font: no unembedded Helvetica in any PDF
        rl_config.canvas_basefontname = fallback.name
        apply_cell_default()
        return fs


def apply_cell_default() -> None:
    """Table cells without a FONT command use the embedded fallback font (never Helvetica).
    Called when the fonts are registered and when app.documents.pdfbase (the platypus
    builders) is imported, whichever comes second; the 公示 path imports no platypus at all."""
    tables = sys.modules.get("reportlab.platypus.tables")
    fs = next(iter(_cache.values()), None)
    if tables is not None and fs is not None:
        tables.CellStyle.fontname = fs.fallback.name


# ---------------------------------------------------------------- the last resort: Hanazono
# HanaMinA + HanaMinB (Debian ``fonts-hanazono``, free licence) cover CJK Extensions A–F;
# BabelStone Han (Debian ``fonts-babelstone-han``) adds most of Extension G. They are not
# shipped in the source tree: found at run time in the system font folders or next to the
# frozen program (the PyInstaller spec copies them from the build machine), and loaded only
# when a character is in neither the role's font nor the shipped font.
HANAZONO_FILES = ("HanaMinA.ttf", "HanaMinB.ttf", "BabelStoneHan.ttf")
HANAZONO_DIRS = ("/usr/share/fonts/truetype/hanazono", "/usr/share/fonts/truetype/babelstone",
                 "/usr/local/share/fonts",
                 "/usr/share/fonts/truetype", "~/.local/share/fonts", "~/.fonts")
# the fallbacks are used for Han characters only (not for their private-use or emoji glyphs)
HAN_RANGES = ((0x2E80, 0x2FDF), (0x31C0, 0x31EF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
              (0xF900, 0xFAFF), (0x20000, 0x323AF))
BOX = "\u25a1"  # □: a full-width empty box where no font has the character (fill in by hand)
_extras: list[FontFace] | None = None


def hanazono_paths() -> list[Path]:
    """HanaMinA/B (and BabelStone Han) files found: ``QINGFENG_FALLBACK_FONTS`` (folders, os.pathsep-separated), the
    frozen program's ``resources/fonts``, the Windows font folder, then the system folders."""
    dirs = [Path(d) for d in os.environ.get("QINGFENG_FALLBACK_FONTS", "").split(os.pathsep) if d]
    if getattr(sys, "frozen", False):
        dirs.append(Path(getattr(sys, "_MEIPASS", "")) / "resources" / "fonts")
    dirs.append(Path(__file__).resolve().parents[2] / "resources" / "fonts")
    if (w := windows_fonts_dir()) is not None:
        dirs.append(w)
    dirs += [Path(d).expanduser() for d in HANAZONO_DIRS]
    found = []
    for name in HANAZONO_FILES:
        for d in dirs:
            if (d / name).is_file():
                found.append(d / name)
                break
    return found


def extra_faces() -> list[FontFace]:
    """The fallback faces, registered on first use (about 0.5 s)."""
    global _extras
    with _lock:
        if _extras is None:
            _extras = [_register(p, 0) for p in hanazono_paths()]
        return _extras


_XML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape(ch: str) -> str:
    """XML escape of one character (xml.sax.saxutils.escape pulls in urllib and http)."""
    return _XML.get(ch, ch)


def _printable(ch: str) -> bool:
    return not (ch.isspace() or ord(ch) < 0x20)


def face_for(cp: int, fs: FontSet, role: str) -> FontFace | None:
    """The first font with a glyph for ``cp``: the role's, the shipped one, then Hanazono."""
    face = fs.face(role)
    if cp in face.cmap:
        return face
    if cp in fs.fallback.cmap:
        return fs.fallback
    if not any(a <= cp <= b for a, b in HAN_RANGES):
        return None
    for extra in extra_faces():
        if cp in extra.cmap:
            return extra
    return None


def missing_glyphs(text: str, role: str = "song", *, fonts: FontSet | None = None,
                   with_fallback: bool = True) -> str:
    """Characters of ``text`` that the role's font has no glyph for.

    With ``with_fallback`` (the default, matching what the builders print),
    only characters that no fallback font (shipped, Hanazono) has are returned.
    Each character is listed once, in order of appearance.
    """
    fs = fonts or get_fonts()
    face = fs.face(role)
    out: list[str] = []
    for ch in text or "":
        cp = ord(ch)
        if cp in face.cmap or not _printable(ch) or ch in out:
            continue
        if with_fallback and face_for(cp, fs, role) is not None:
            continue
        out.append(ch)
    return "".join(out)


def markup(text: str, role: str = "song", *, fonts: FontSet | None = None) -> str:
    """XML-escape ``text`` for a Paragraph, switching font per character to the first fallback
    that has it (shipped font, then HanaMinA/B); a character in no font becomes a full-width
    empty box □ (the builders' warnings name whose text it is)."""
    fs = fonts or get_fonts()
    face = fs.face(role)
    parts: list[str] = []
    for ch in text or "":
        cp = ord(ch)
        if cp in face.cmap or not _printable(ch):
            parts.append(escape(ch))
            continue
        other = face_for(cp, fs, role)
        if other is None:
            box = fs.fallback if ord(BOX) in fs.fallback.cmap else face
            parts.append(f'<font face="{box.name}">{BOX}</font>')
        else:
            parts.append(f'<font face="{other.name}">{escape(ch)}</font>')
    return "".join(parts)


def needs_fallback(text: str, role: str = "song", *, fonts: FontSet | None = None) -> bool:
    """True when some character is not in the role's font (a Paragraph with markup is needed)."""
    fs = fonts or get_fonts()
    face = fs.face(role)
    return any(ord(ch) not in face.cmap and _printable(ch) for ch in text or "")
