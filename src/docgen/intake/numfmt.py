"""What a spreadsheet shows for a stored value: Excel number format codes, parsed and applied.

The read stage needs it to read what the clerk sees. A cell stores 0.96 and may show
"96%", "0.96", "1" or "96%" typed as text; a date may show only its month; a code
stored as the number 7 may show "007". This module turns a format code into
sections of tokens and answers the questions the reader asks: which number does the
cell show (scaled by a real "%", rounded to the decimals shown), does it show a "%"
of its own, which parts of a date it shows, and what text it shows. Where a format
is beyond what is implemented here (fractions, exponents, conditions, Chinese
numerals), the answer is None and the reader says so at the cell.

It knows nothing of docgen's sheets; of a workbook it knows only a cell's style as openpyxl gives it
(format_of).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

# Excel's built-in formats as a Chinese (zh-CN) Excel or WPS stores them: numFmtId only, no <numFmt>
# element. openpyxl knows 0–22 and 37–49; 27–36 and 50–58 are the East Asian dates and times.
ZH_CN_BUILTIN: dict[int, str] = {
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    54: 'm"月"d"日"', 55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
}



def format_of(cell: object) -> str:
    """The format code of an openpyxl cell, the Chinese built-in date styles (numFmtId 27–36, 50–58) included,
    which openpyxl itself reports as General."""
    style = getattr(cell, "style_array", None)
    if style is not None and style.numFmtId in ZH_CN_BUILTIN:
        return ZH_CN_BUILTIN[style.numFmtId]
    return getattr(cell, "number_format", None) or "General"


_DATE_LETTERS = "ymdhsYMDHSeEgGbBaA"
_SINGLE = {"0": "digit", "#": "digit", "?": "digit", ".": "dot", ",": "comma", "%": "pct", "@": "at"}


@dataclass(frozen=True)
class Token:
    kind: str  # "lit", "digit", "dot", "comma", "pct", "exp", "slash", "at", "date", "ampm", "general"
    text: str


@dataclass
class Section:
    tokens: list[Token] = field(default_factory=list)
    condition: str | None = None  # [>=100]: Excel picks the section by it; not implemented
    dbnum: bool = False  # [DBNum1]: digits shown as Chinese numerals
    elapsed: bool = False  # [h]:mm: a duration

    @property
    def kinds(self) -> set[str]:
        return {t.kind for t in self.tokens}

    @property
    def is_date(self) -> bool:
        return "date" in self.kinds

    @property
    def is_general(self) -> bool:
        return "general" in self.kinds

    @property
    def is_text(self) -> bool:
        return "at" in self.kinds and not self.kinds & {"digit", "date", "general"}


@dataclass(frozen=True)
class Format:
    code: str
    sections: tuple[Section, ...]

    def section_for(self, value: float) -> tuple[Section, bool] | None:
        """The section that shows `value`, and whether a minus sign is added to it (None: a condition)."""
        numeric = [s for s in self.sections if not s.is_text] or [Section([Token("general", "General")])]
        if any(s.condition for s in numeric):
            return None
        if value < 0 and len(numeric) >= 2:
            return numeric[1], False
        if value == 0 and len(numeric) >= 3:
            return numeric[2], False
        return numeric[0], value < 0

    @property
    def is_date(self) -> bool:
        return bool(self.sections) and self.sections[0].is_date


@lru_cache(maxsize=512)
def parse(code: str | None) -> Format:
    """A format code split into sections of tokens."""
    code = code or "General"
    sections: list[Section] = [Section()]
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        section = sections[-1]
        if ch == ";":
            sections.append(Section())
            i += 1
        elif ch == '"':
            end = code.find('"', i + 1)
            end = n if end < 0 else end
            section.tokens.append(Token("lit", code[i + 1:end]))
            i = end + 1
        elif ch == "\\" and i + 1 < n:
            section.tokens.append(Token("lit", code[i + 1]))
            i += 2
        elif ch == "_" and i + 1 < n:
            section.tokens.append(Token("lit", " "))
            i += 2
        elif ch == "*" and i + 1 < n:
            i += 2  # a fill character repeated to the cell's width: nothing of the value
        elif ch == "[":
            end = code.find("]", i + 1)
            end = n if end < 0 else end
            _bracket(section, code[i + 1:end])
            i = end + 1
        elif code.startswith("General", i) or code.startswith("general", i) or code.startswith("G/通用格式", i):
            word = "G/通用格式" if code.startswith("G/通用格式", i) else "General"
            section.tokens.append(Token("general", word))
            i += len(word)
        elif ch in _SINGLE:
            section.tokens.append(Token(_SINGLE[ch], ch))
            i += 1
        elif ch in "Ee" and i + 1 < n and code[i + 1] in "+-":
            section.tokens.append(Token("exp", code[i:i + 2]))
            i += 2
        elif ch == "/" and _between_digits(section):
            section.tokens.append(Token("slash", ch))
            i += 1
        elif code.startswith(("AM/PM", "am/pm"), i):
            section.tokens.append(Token("ampm", "AM/PM"))
            i += 5
        elif code.startswith(("A/P", "a/p"), i):
            section.tokens.append(Token("ampm", "A/P"))
            i += 3
        elif code.startswith("上午/下午", i):
            section.tokens.append(Token("ampm", "上午/下午"))
            i += 5
        elif ch in _DATE_LETTERS:
            j = i
            while j < n and code[j].lower() == ch.lower():
                j += 1
            section.tokens.append(Token("date", code[i:j].lower()))
            i = j
        else:
            section.tokens.append(Token("lit", ch))
            i += 1
    return Format(code, tuple(sections))


def _bracket(section: Section, inner: str) -> None:
    lowered = inner.lower()
    if re.fullmatch(r"[hms]+", lowered):
        section.elapsed = True
        section.tokens.append(Token("date", lowered))
    elif lowered.startswith("dbnum"):
        section.dbnum = True
    elif re.match(r"[<>=]", inner):
        section.condition = inner
    elif inner.startswith("$"):
        symbol = inner[1:].split("-", 1)[0]
        if symbol:
            section.tokens.append(Token("lit", symbol))
    # colours ([Red], [Color10]) and anything else change nothing of the text


def _between_digits(section: Section) -> bool:
    return bool(section.tokens) and section.tokens[-1].kind == "digit"


# ---- numbers ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """The number a cell shows: the figure itself, and whether a "%" sign stands after it (a real percent
    format's, which scaled the value by 100, or a literal one the format writes)."""

    number: float
    percent_sign: bool  # a "%" follows the figure
    scaled: bool  # the figure is the stored value × 100 (a real percent format)
    exact: bool  # the figure is the stored value, scaled, with no digit rounded away


def shown_number(value: float, code: str | None) -> Shown | None:
    """The number a cell holding `value` shows under format `code`; None when that cannot be told here."""
    fmt = parse(code)
    picked = fmt.section_for(value)
    if picked is None:
        return None
    section, _ = picked
    if section.is_date or section.elapsed:
        return None
    if section.is_general or not section.tokens:
        return Shown(value, False, False, True)
    kinds = section.kinds
    if kinds & {"exp", "slash"} or "digit" not in kinds:
        return None
    scaled_value, decimals = _scale(value, section)
    rounded = _round(scaled_value, decimals)
    literal_pct = any(t.kind == "lit" and "%" in t.text for t in section.tokens)
    real_pct = "pct" in kinds
    exact = math.isclose(rounded, scaled_value, rel_tol=0, abs_tol=1e-9 * max(1.0, abs(scaled_value)))
    return Shown(rounded, real_pct or literal_pct, real_pct, exact)


def _scale(value: float, section: Section) -> tuple[float, int]:
    """The value as the section scales it (×100 per "%", ÷1000 per trailing comma), and its decimals shown."""
    tokens = section.tokens
    digits = [i for i, t in enumerate(tokens) if t.kind == "digit"]
    last_digit = digits[-1]
    scale = 1.0
    scale *= 100 ** sum(1 for t in tokens if t.kind == "pct")
    trailing = 0
    for t in tokens[last_digit + 1:]:
        if t.kind == "comma":
            trailing += 1
        elif t.kind in ("dot", "digit"):
            trailing = 0
        else:
            break
    dot = next((i for i, t in enumerate(tokens) if t.kind == "dot"), None)
    decimals = sum(1 for t in tokens[dot + 1:] if t.kind == "digit") if dot is not None else 0
    return abs(value) * scale / (1000 ** trailing), decimals


def _round(value: float, decimals: int) -> float:
    """Round half away from zero, as a spreadsheet does (not Python's half to even)."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def show(value: object, code: str | None) -> str | None:
    """The text a cell shows for `value` (a number, a date or a text); None when that cannot be told here."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    if isinstance(value, (dt.datetime, dt.date)):
        fmt = parse(code)
        section = fmt.sections[0]
        if not section.is_date or section.dbnum or section.elapsed:
            return None
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        return _show_date(moment, section)
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    fmt = parse(code)
    picked = fmt.section_for(value)
    if picked is None:
        return None
    section, minus = picked
    if section.is_date and not section.elapsed and not section.dbnum and 61 <= value < 2958466:
        return _show_date(dt.datetime(1899, 12, 30) + dt.timedelta(days=value), section)  # a serial shown as a date
    if section.dbnum or section.is_date or section.elapsed:
        return None
    if section.is_general or not section.tokens:
        return ("-" if minus else "") + general(abs(value)) + _literals_only(section)
    kinds = section.kinds
    if kinds & {"exp", "slash"}:
        return None
    if "digit" not in kinds:
        return "".join(t.text for t in section.tokens if t.kind == "lit") or None
    text = _show_number(value, section)
    return None if text is None else ("-" if minus else "") + text


def _literals_only(section: Section) -> str:
    return "".join(t.text for t in section.tokens if t.kind == "lit")


def general(value: float) -> str:
    """A number as the General format writes it (up to 11 significant figures, no exponent below 1e11)."""
    if float(value).is_integer() and abs(value) < 1e11:
        return str(int(value))
    text = f"{value:.10g}"
    if "e" in text:
        return f"{value:.5E}".replace("E+0", "E+").replace("E-0", "E-")
    return text


def _show_number(value: float, section: Section) -> str | None:
    tokens = section.tokens
    scaled, decimals = _scale(value, section)
    rounded = Decimal(repr(scaled)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{rounded:f}".partition(".")
    dot = next((i for i, t in enumerate(tokens) if t.kind == "dot"), len(tokens))
    # the integer part: placeholders filled from the right, literals kept where they stand
    head = tokens[:dot]
    int_digits = [t for t in head if t.kind == "digit"]
    last_int = max((i for i, t in enumerate(head) if t.kind == "digit"), default=-1)
    thousands = any(t.kind == "comma" for t in head[:last_int]) and any(
        t.kind == "digit" for t in head[:next((i for i, t in enumerate(head) if t.kind == "comma"), 0)])
    digits = whole.lstrip("0")
    out: list[str] = []
    remaining = digits
    placed = 0
    for index in range(len(head) - 1, -1, -1):
        t = head[index]
        if t.kind == "digit":
            placed += 1
            is_first = placed == len(int_digits)
            if is_first:
                take, remaining = remaining, ""
                if not take:
                    take = {"0": "0", "#": "", "?": " "}[t.text]
            elif remaining:
                take, remaining = remaining[-1], remaining[:-1]
            else:
                take = {"0": "0", "#": "", "?": " "}[t.text]
            out.append(take)
        elif t.kind in ("lit", "pct"):
            out.append(t.text)
        # commas (thousands or scaling) and @ write nothing here
    text = "".join(reversed(out))
    if not int_digits:
        text = digits + text if digits else text
    if thousands:
        if any(t.kind == "lit" for t in head[_first_digit(head):last_int + 1]):
            return None  # grouping and literals among the digits together: not implemented
        lead = next((i for i, ch in enumerate(text) if ch.isdigit()), None)
        if lead is not None:
            end = lead
            while end < len(text) and text[end].isdigit():
                end += 1
            text = text[:lead] + f"{int(text[lead:end]):,}" + text[end:]
    # the fraction part: 0 always, # only when not a trailing zero, ? as a space
    tail = tokens[dot + 1:] if dot < len(tokens) else []
    if dot < len(tokens):
        places = [t for t in tail if t.kind == "digit"]
        frac = frac.ljust(len(places), "0")
        keep = len(frac)
        for t, ch in zip(reversed(places), reversed(frac)):
            if ch == "0" and t.text in "#?":
                keep -= 1
            else:
                break
        parts = ["."]
        position = 0
        for t in tail:
            if t.kind == "digit":
                if position < keep:
                    parts.append(frac[position])
                elif t.text == "?":
                    parts.append(" ")
                position += 1
            elif t.kind == "lit":
                parts.append(t.text)
            elif t.kind == "pct":
                parts.append("%")
        text += "".join(parts)
    return text


def _first_digit(tokens: list[Token]) -> int:
    return next((i for i, t in enumerate(tokens) if t.kind == "digit"), len(tokens))


# ---- dates -----------------------------------------------------------------------------------------------


def date_parts(code: str | None) -> set[str]:
    """Which of year (y), month (m), day (d) and time (t) a date format shows."""
    fmt = parse(code)
    if not fmt.is_date:
        return set()
    found: set[str] = set()
    for token, minute in _date_tokens(fmt.sections[0]):
        letter = token.text[0]
        if letter in "yeb":
            found.add("y")
        elif letter == "m" and not minute:
            found.add("m")
        elif letter == "d" and len(token.text) <= 2:
            found.add("d")
        elif letter in "hs" or (letter == "m" and minute):
            found.add("t")
    return found


def _date_tokens(section: Section) -> list[tuple[Token, bool]]:
    """The date tokens of a section, each with whether an "m" among them means minutes."""
    dates = [t for t in section.tokens if t.kind == "date"]
    marked = []
    for index, token in enumerate(dates):
        minute = False
        if token.text[0] == "m" and len(token.text) <= 2:
            before = dates[index - 1].text[0] if index else ""
            after = dates[index + 1].text[0] if index + 1 < len(dates) else ""
            minute = before == "h" or after == "s"
        marked.append((token, minute))
    return marked


_WEEKDAYS = "一二三四五六日"


def _show_date(moment: dt.datetime, section: Section) -> str:
    twelve = "ampm" in section.kinds
    minutes = dict((id(t), m) for t, m in _date_tokens(section))
    out = []
    for token in section.tokens:
        if token.kind == "lit":
            out.append(token.text)
        elif token.kind == "ampm":
            morning = moment.hour < 12
            if token.text == "上午/下午":
                out.append("上午" if morning else "下午")
            elif token.text == "A/P":
                out.append("A" if morning else "P")
            else:
                out.append("AM" if morning else "PM")
        elif token.kind == "date":
            out.append(_date_field(token.text, moment, minutes.get(id(token), False), twelve))
        elif token.kind == "digit" and token.text == "0":
            out.append("0")  # tenths of a second (ss.0): docgen's dates carry none
        elif token.kind == "dot":
            out.append(".")
    return "".join(out)


def _date_field(text: str, moment: dt.datetime, minute: bool, twelve: bool) -> str:
    letter, width = text[0], len(text)
    if letter in "ye":
        return str(moment.year) if width != 2 else f"{moment.year % 100:02d}"
    if letter == "m" and minute:
        return f"{moment.minute:02d}" if width == 2 else str(moment.minute)
    if letter == "m":
        if width <= 2:
            return f"{moment.month:02d}" if width == 2 else str(moment.month)
        return f"{moment.month}月"
    if letter == "d":
        if width <= 2:
            return f"{moment.day:02d}" if width == 2 else str(moment.day)
        return ("周" if width == 3 else "星期") + _WEEKDAYS[moment.weekday()]
    if letter == "a":
        return ("周" if width == 3 else "星期") + _WEEKDAYS[moment.weekday()]
    if letter == "h":
        hour = moment.hour % 12 or 12 if twelve else moment.hour
        return f"{hour:02d}" if width == 2 else str(hour)
    if letter == "s":
        return f"{moment.second:02d}" if width == 2 else str(moment.second)
    return text
