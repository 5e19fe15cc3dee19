"""Numbers as the sources print them: Chinese (一 … 十一), Roman (VI) and Arabic labels."""

CHINESE_DIGITS = "一二三四五六七八九"
CHINESE_NUMERALS = CHINESE_DIGITS + "十"  # the characters a part or section number uses
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def chinese_value(numeral: str) -> int:
    """一 → 1, 十 → 10, 十一 → 11, 二十三 → 23 (enough for part and section numbers).

    Anything else (十十, 一二, 二十十) is a ValueError.
    """
    digits = {c: n for n, c in enumerate(CHINESE_DIGITS, start=1)}
    if "十" not in numeral:
        if len(numeral) != 1 or numeral not in digits:
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
        return digits[numeral]
    tens, _, units = numeral.partition("十")
    if (tens and tens not in digits) or (units and units not in digits):
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    return (digits[tens] if tens else 1) * 10 + (digits[units] if units else 0)


def chinese(value: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 23 → 二十三."""
    if value < 10:
        return CHINESE_DIGITS[value - 1]
    tens, units = divmod(value, 10)
    return (CHINESE_DIGITS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_DIGITS[units - 1] if units else "")


def roman_value(numeral: str) -> int:
    """Value of a Roman numeral (I … CXC); subtractive pairs like IV and XC count down."""
    values = [ROMAN[c] for c in numeral]
    return sum(-v if v < nxt else v for v, nxt in zip(values, values[1:] + [0]))


def roman(n: int) -> str:
    """3 → III, for part numbers in note bodies."""
    out = ""
    for value, numeral in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out += numeral * count
    return out


def label_value(label: str) -> int:
    """Numeric value of a printed label in any form: "(1)", "1.", "(VI)", "II"."""
    core = label.strip("().")
    return int(core) if core.isdigit() else roman_value(core)
