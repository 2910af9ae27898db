"""Where Chinese text may break: between words (jieba), never inside a unit's name. Ground floor: no docgen imports."""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

# The endings of the names of power-supply units and Party organisations: kept whole, and never
# parted from the place or name before them (兰州|供电公司 is no place to break a line).
UNIT_WORDS = ("供电公司", "电力公司", "供电服务中心", "服务中心", "运维中心", "变电运维中心", "运维站",
              "变电站", "供电所", "党支部", "党总支", "党委", "委员会", "党小组", "共产党员服务队", "服务队")

# 避头尾: a closing mark never starts a line, an opening mark never ends one.
OPENING = "“‘（《「『【〔"
CLOSING = "”’）》」』】〕、，。；：？！"
# Quote marks Pango's line breaker (UAX #14 class QU) never breaks beside, even between two Chinese
# characters: where a break between words falls next to one, a zero-width space offers it.
QUOTES = "“”‘’"
ZERO_WIDTH_SPACE = "\u200b"  # no width, nothing printed: a place a line may break


def word_breaks(text: str, words: tuple[str, ...] = ()) -> set[int] | None:
    """The places between two words of text (jieba's segmentation, with UNIT_WORDS and `words`);
    None when jieba is not installed. A one-character piece joins its neighbours (no break beside it),
    and a unit's ending stays with the name before it. The same text always breaks the same way, whatever
    was segmented before: `words` (an organisation's names) only take breaks away, inside each of them."""
    pieces = _cut(text)
    if pieces is None:  # pragma: no cover - a dependency; without it any place between characters serves
        return None
    breaks, at = set(), 0
    for left, right in zip(pieces, pieces[1:]):
        at += len(left)
        if len(left.strip()) >= 2 and len(right.strip()) >= 2 and right not in UNIT_WORDS:
            breaks.add(at)
    for word in words:
        start = text.find(word) if word else -1
        while start >= 0:
            breaks -= set(range(start + 1, start + len(word)))
            start = text.find(word, start + 1)
    return breaks


def words(text: str, longest: int = 8) -> list[str]:
    """text cut where a line may break between words: after each 、 of a list (a person's name of up to five
    characters stays whole), then between jieba's words; a piece longer than `longest` characters is cut
    between every two of jieba's words, so that no piece outgrows a narrow column."""
    pieces: list[str] = []
    for part in _after_commas(text):
        breaks = word_breaks(part)
        if breaks is None or len(part.rstrip("、，；")) <= 5:
            pieces.append(part)
            continue
        start = 0
        for at in sorted(breaks) + [len(part)]:
            piece = part[start:at]
            if len(piece) <= longest:
                pieces.append(piece)
            else:
                pieces += _single_characters_joined(_cut(piece) or [piece])
            start = at
    return _punctuation_moved([chunk for piece in pieces for chunk in _chunks(piece, longest)])


def _punctuation_moved(pieces: list[str]) -> list[str]:
    """A closing mark at a piece's start goes to the piece before; an opening mark at its end to the next."""
    out: list[str] = []
    for piece in pieces:
        while out and piece and piece[0] in CLOSING:
            out[-1], piece = out[-1] + piece[0], piece[1:]
        while out and out[-1] and out[-1][-1] in OPENING:
            out[-1], piece = out[-1][:-1], out[-1][-1] + piece
        if piece:
            out.append(piece)
    return [piece for piece in out if piece]


def _chunks(piece: str, longest: int) -> list[str]:
    """A piece still longer than `longest` (a word wider than its column) in lines of even length, none
    longer than `longest` where it can be helped, never cut inside a run of letters and digits (4+N)
    nor beside a quote mark."""
    if len(piece) <= longest:
        return [piece]
    count = -(-len(piece) // longest)
    size = -(-len(piece) // count)
    out, start = [], 0
    while len(piece) - start > longest:
        at = start + size
        while at > start + 1 and not _may_cut(piece, at):
            at -= 1
        if not _may_cut(piece, at):  # one unbreakable run: cut after it instead
            at = start + size
            while at < len(piece) and not _may_cut(piece, at):
                at += 1
        out.append(piece[start:at])
        start = at
    return out + [piece[start:]] if start < len(piece) else out


def _may_cut(piece: str, at: int) -> bool:
    """Whether a line may break before piece[at]: not inside 4+N or 2024, not before a closing mark nor
    after an opening one."""
    left, right = piece[at - 1], piece[at]
    latin = all(ch.isascii() and (ch.isalnum() or ch in "+-./%") for ch in (left, right))
    return not (latin or right in CLOSING or left in OPENING)


def _single_characters_joined(pieces: list[str]) -> list[str]:
    """Runs of one-character pieces (配/网/运/维, words jieba does not know) as one piece; a punctuation mark
    is a piece of its own (it goes with its neighbour later)."""
    out: list[str] = []
    single = False
    for piece in pieces:
        mark = piece in OPENING or piece in CLOSING
        if len(piece) == 1 and single and not mark:
            out[-1] += piece
        else:
            out.append(piece)
            single = len(piece) == 1 and not mark
    return out


def _after_commas(text: str) -> list[str]:
    parts, start = [], 0
    for at, ch in enumerate(text):
        if ch in "、，；":
            parts.append(text[start:at + 1])
            start = at + 1
    parts.append(text[start:])
    return parts


def _cut(text: str) -> list[str] | None:
    """jieba's words of text, from docgen's own dictionary (jieba's with UNIT_WORDS): a word another part
    of the program adds to jieba's shared one never changes where docgen breaks a line."""
    tokenizer = _tokenizer()
    if tokenizer is None:
        return None
    return [piece for piece in tokenizer.cut(text, HMM=False) if piece]


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    try:
        import jieba
    except ImportError:  # pragma: no cover
        return None
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in UNIT_WORDS:
        tokenizer.add_word(word, freq=10 ** 6)
    return tokenizer


def width(text: str) -> float:
    """Text's width in characters of the body face: a Chinese character or mark 1, a Latin letter or digit ½."""
    return sum(0.5 if ch.isascii() else 1 for ch in text)


def word_lines(text: str, room: float) -> list[str]:
    """text in lines of at most `room` characters, broken only between words (words()), each line as full
    as it can be: for a cell or a 落款 in a .docx, whose application would break it anywhere."""
    lines: list[str] = []
    for piece in words(text, max(1, int(room))):
        if lines and width(lines[-1]) + width(piece) <= room:
            lines[-1] += piece
        else:
            lines.append(piece)
    return lines


_DATE = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日|\d{4}年(?!\d)|\d+(?:\.\d+)?(?:%|[处个项名人次元天件户条套份](?![\u4e00-\u9fff]{2}))?")


def phrases(text: str) -> list[str]:
    """text in the pieces a line of a narrow cell may break between: a date (2024年12月31日), a number with its
    unit (96.7%, 4项), a word (截至, 完成, 逾期) whole; a closing mark with the piece before it."""
    pieces: list[str] = []
    start = 0
    for m in _DATE.finditer(text):
        pieces += _cut(text[start:m.start()]) or list(text[start:m.start()])
        pieces.append(m.group(0))
        start = m.end()
    pieces += _cut(text[start:]) or list(text[start:])
    out: list[str] = []
    for piece in pieces:
        if out and piece and piece[0] in CLOSING:
            out[-1] += piece
        elif piece:
            out.append(piece)
    return out


def date_lines(text: str, room: float) -> list[str]:
    """text in lines of at most `room` characters (width()), a date (2024年12月31日), a number with its unit
    (96.7%) or a word (截至, 完成) never broken and no closing mark at a line's start (phrases()): for a narrow
    cell of a .docx, where Word and LibreOffice would break 12月3|1日 or 截|至."""
    lines: list[str] = []
    for atom in phrases(text):
        if lines and width(lines[-1]) + width(atom) <= room:
            lines[-1] += atom
        elif lines and lines[-1][-1] in OPENING:
            lines[-1], atom = lines[-1][:-1], lines[-1][-1] + atom
            lines.append(atom)
        else:
            lines.append(atom)
    return [line for line in lines if line]
