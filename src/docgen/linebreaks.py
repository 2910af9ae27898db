"""Where Chinese text may break: between words (jieba), never inside a unit's name. Ground floor: no docgen imports."""
from __future__ import annotations

import logging
from typing import Any

# The endings of the names of power-supply units and Party organisations: kept whole, and never
# parted from the place or name before them (兰州|供电公司 is no place to break a line).
UNIT_WORDS = ("供电公司", "电力公司", "供电服务中心", "服务中心", "运维中心", "变电运维中心", "运维站",
              "变电站", "供电所", "党支部", "党总支", "党委", "委员会", "党小组", "共产党员服务队", "服务队")

_JIEBA_WORDS: set[str] = set()


def word_breaks(text: str, words: tuple[str, ...] = ()) -> set[int] | None:
    """The places between two words of text (jieba's segmentation, with UNIT_WORDS and `words`);
    None when jieba is not installed. A one-character piece joins its neighbours (no break beside it),
    and a unit's ending stays with the name before it."""
    try:
        import jieba
    except ImportError:  # pragma: no cover - a dependency; without it any place between characters serves
        return None
    _prepare_jieba(jieba, tuple(words))
    pieces = [piece for piece in jieba.cut(text, HMM=False) if piece]
    breaks, at = set(), 0
    for left, right in zip(pieces, pieces[1:]):
        at += len(left)
        if len(left.strip()) >= 2 and len(right.strip()) >= 2 and right not in UNIT_WORDS:
            breaks.add(at)
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
                import jieba

                pieces += _single_characters_joined(list(jieba.cut(piece, HMM=False)))
            start = at
    return [chunk for piece in _punctuation_moved(pieces) for chunk in _chunks(piece, longest)]


def _punctuation_moved(pieces: list[str]) -> list[str]:
    """A closing mark at a piece's start goes to the piece before; an opening mark at its end to the next."""
    out: list[str] = []
    for piece in pieces:
        while out and piece and piece[0] in "”’）》」』】〕、，。；：":
            out[-1], piece = out[-1] + piece[0], piece[1:]
        if out and out[-1] and out[-1][-1] in "“‘（《「『【〔":
            out[-1], piece = out[-1][:-1], out[-1][-1] + piece
        if piece:
            out.append(piece)
    return [piece for piece in out if piece]


def _chunks(piece: str, longest: int) -> list[str]:
    """A piece still longer than `longest` (a word wider than its column) in lines of about `longest`,
    never cut inside a run of letters and digits (4+N) nor beside a quote mark."""
    out, start = [], 0
    while len(piece) - start > longest:
        at = start + longest
        while at > start + 1 and (piece[at - 1:at + 1].isascii() or piece[at] in "”’）》" or piece[at - 1] in "“‘（《"):
            at -= 1
        out.append(piece[start:at])
        start = at
    return out + [piece[start:]]


def _single_characters_joined(pieces: list[str]) -> list[str]:
    """Runs of one-character pieces (配/网/运/维, words jieba does not know) as one piece."""
    out: list[str] = []
    single = False
    for piece in pieces:
        if len(piece) == 1 and single:
            out[-1] += piece
        else:
            out.append(piece)
            single = len(piece) == 1
    return out


def _after_commas(text: str) -> list[str]:
    parts, start = [], 0
    for at, ch in enumerate(text):
        if ch in "、，；":
            parts.append(text[start:at + 1])
            start = at + 1
    parts.append(text[start:])
    return parts


def _prepare_jieba(jieba: Any, words: tuple[str, ...]) -> None:
    if not _JIEBA_WORDS:
        jieba.setLogLevel(logging.WARNING)
    for word in (*UNIT_WORDS, *words):
        if word and word not in _JIEBA_WORDS:
            jieba.add_word(word, freq=10 ** 6)
            _JIEBA_WORDS.add(word)
