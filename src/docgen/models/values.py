"""Parsing of the values clerks type into cells: dates, percentages, phones, lists.

Pure functions and annotated types for the models; no I/O. Each failure raises a
PydanticCustomError whose type is a stable issue code (see validate/messages.py).
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

_SPACES = re.compile(r"[\s\u3000\u00a0]+")


def to_halfwidth(text: str) -> str:
    """Fold full-width digits, letters and signs to ASCII (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def compact(text: str) -> str:
    """Text folded to half width with every space taken out: how a typed number, date or phone is compared."""
    return _SPACES.sub("", to_halfwidth(text))


def code_key(text: str) -> str:
    """How two project codes are compared wherever they meet (a sheet, two workbooks, the web's held codes,
    file names): folded to half width (NFKC), case folded, spaces taken out; "ＤＪ-2024-001" and
    "dj-2024-001" are one code. The code itself is kept as written."""
    return compact(text).casefold()


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean_text(value: Any) -> Any:
    """Trim text; turn numbers typed into text columns back into their digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise PydanticCustomError("text_invalid", "not text")
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return format_date(value if isinstance(value, dt.date) else value.date())
    if isinstance(value, str):
        text = value.strip().replace("\r\n", "\n").replace("\r", "\n")
        return text or None
    raise PydanticCustomError("text_invalid", "not text")


def format_date(day: dt.date) -> str:
    return day.isoformat()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


def parse_date(value: Any) -> Any:
    """Read an Excel date or one of the accepted written forms."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = compact(value)
        if not text:
            return None
        text = re.sub(r"\s*00:00(:00)?$", "", text)
        for pattern in _DATE_PATTERNS:
            m = pattern.match(text)
            if m:
                y, mo, d = (int(g) for g in m.groups())
                try:
                    return dt.date(y, mo, d)
                except ValueError:
                    break
        raise PydanticCustomError("date_invalid", "unreadable date", {"value": value.strip()})
    raise PydanticCustomError("date_invalid", "unreadable date", {"value": _number_text(value) if isinstance(value, (int, float)) else str(value)})


def parse_number(value: Any, code: str) -> Any:
    """Read a number from a cell or from text with full-width digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise PydanticCustomError(code, "not a number", {"value": str(value)})
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError(code, "not a number", {"value": str(value)})
        return value
    if isinstance(value, str):
        text = compact(value)
        if not text:
            return None
        try:
            return float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            raise PydanticCustomError(code, "not a number", {"value": value.strip()}) from None
    raise PydanticCustomError(code, "not a number", {"value": str(value)})


def _zero_to_hundred(value: Any, kind: str) -> Any:
    """Read a number between 0 and 100; codes are <kind>_invalid and <kind>_out_of_range."""
    number = parse_number(value, f"{kind}_invalid")
    if number is None:
        return None
    number = float(number)
    if not 0 <= number <= 100:
        raise PydanticCustomError(f"{kind}_out_of_range", "out of range", {"value": _number_text(number)})
    return number


def parse_percent(value: Any) -> Any:
    """Read 80, '80%' or '80％' as 80.0 (a percent-formatted 0.8 is scaled by the reader)."""
    if isinstance(value, str):
        value = compact(value).removesuffix("%")
    return _zero_to_hundred(value, "percent")


def parse_score(value: Any) -> Any:
    return _zero_to_hundred(value, "score")


_AMOUNT_UNIT = re.compile(r"万元?$")
AMOUNT_MAX = 100_000  # 万元: a Party-building project's budget is far below 10 亿


def parse_amount(value: Any) -> Any:
    """Read an amount in 万元: 5, 5.5, '5.5万元'; codes amount_invalid and amount_out_of_range."""
    if isinstance(value, str):
        value = _AMOUNT_UNIT.sub("", compact(value))
    number = parse_number(value, "amount_invalid")
    if number is None:
        return None
    number = float(number)
    if not 0 <= number <= AMOUNT_MAX:
        raise PydanticCustomError("amount_out_of_range", "out of range", {"value": _number_text(number)})
    return number


def parse_positive_int(value: Any) -> Any:
    number = parse_number(value, "seq_invalid")
    if number is None:
        return None
    if float(number) != int(number) or int(number) < 1:
        raise PydanticCustomError("seq_invalid", "not a positive whole number", {"value": _number_text(number)})
    return int(number)


_MOBILE = re.compile(r"^1\d{10}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def parse_phone(value: Any) -> Any:
    """Accept an 11-digit mobile or a landline with its area code; keep the clerk's writing."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _number_text(value)
    elif isinstance(value, str):
        text = value
    else:
        raise PydanticCustomError("phone_invalid", "bad phone", {"value": str(value)})
    text = compact(text)
    if not text:
        return None
    plain = re.sub(r"^\((0\d{2,3})\)", r"\1-", text)
    if _MOBILE.match(plain) or _LANDLINE.match(plain):
        return plain
    if _MOBILE.match(plain.replace("-", "")):  # 139-1234-5678, as a cell's format may show it
        return plain
    # A landline number cell loses its leading zero: 9318881234.
    raise PydanticCustomError("phone_invalid", "bad phone", {"value": text})


_LIST_SPLIT = re.compile(r"[、，,；;/／|｜\n]+")
# Names set apart by spaces, each of two characters or more: "马建华 李晓燕" is two names, "王 堃" one.
_SPACED_NAMES = re.compile(r"^[^\s]{2,}(?:[\s\u3000]+[^\s]{2,})+$")


def split_list(value: Any) -> Any:
    """Split 甲、乙，丙, 甲/乙 and line-separated entries into a list of names; names set apart by spaces
    only when every one of them has two characters or more."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    text = clean_text(value)
    if text is None:
        return []
    parts = [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]
    if len(parts) == 1 and _SPACED_NAMES.match(parts[0]):
        parts = parts[0].split()
    return parts


_CODE = re.compile(r"^[A-Za-z0-9_-]+$")
CODE_LENGTH = 32  # a code is part of every file name of its documents


def parse_code(value: Any) -> Any:
    """Read a 项目编号 / 证书编号: letters, digits, '-' and '_'."""
    text = clean_text(value)
    if text is None:
        return None
    text = to_halfwidth(text).strip()
    if len(text) > CODE_LENGTH:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise PydanticCustomError("code_too_long", "code too long",
                                  {"value": shown, "length": len(text), "limit": CODE_LENGTH})
    if not _CODE.match(text):
        raise PydanticCustomError("code_invalid", "bad code", {"value": text})
    return text


Text = Annotated[str, BeforeValidator(clean_text)]
OptText = Annotated[str | None, BeforeValidator(clean_text)]
Code = Annotated[str, BeforeValidator(parse_code)]
OptCode = Annotated[str | None, BeforeValidator(parse_code)]
TextList = Annotated[list[str], BeforeValidator(split_list)]
Date = Annotated[dt.date, BeforeValidator(parse_date)]
OptDate = Annotated[dt.date | None, BeforeValidator(parse_date)]
Percent = Annotated[float, BeforeValidator(parse_percent)]
OptPercent = Annotated[float | None, BeforeValidator(parse_percent)]
OptScore = Annotated[float | None, BeforeValidator(parse_score)]
OptAmount = Annotated[float | None, BeforeValidator(parse_amount)]
Seq = Annotated[int, BeforeValidator(parse_positive_int)]
OptSeq = Annotated[int | None, BeforeValidator(parse_positive_int)]
OptPhone = Annotated[str | None, BeforeValidator(parse_phone)]
