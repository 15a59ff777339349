"""
The Encoding Standard's legacy index tables, generated from Python's own codecs and
packed into a compact JavaScript fragment for the runtime prelude.

Spec: https://encoding.spec.whatwg.org/#indexes

The prelude's ``20_encoding.js`` decodes the legacy encodings with these tables. They are
built once per process from the standard library codecs (``cp1252``, ``cp932``, ``cp949``,
``gb18030``, ``big5hkscs``, ...), corrected where the codec and the WHATWG index
disagree, and serialised by L{encodingTablesSource} as one short script that sets
``nano.encodingTablesHolder``, a function whose body returns the tables as a JSON
literal. The function never runs: V8 only pre-parses it, so the text is held once per
isolate, in the prelude's script source, rather than twice (the source and a string
literal on the heap: 210 KB against 104 KB). The first decoder that needs a table reads
the text back with Function.prototype.toString and parses it; every table is a
printable-ASCII string, unpacked when first used.

Packed format (one string per index, pointers in increasing order, starting at pointer 0
with a previous code point of 0): a sequence of unsigned numbers written base 45 with the
most significant digit first, where digit ``d`` of a number is the character
``ALPHABET[d + 45]`` except the last digit, ``ALPHABET[d]``. Each number ``x`` is one of:

  - odd: the next ``(x + 1) / 2`` pointers map to consecutive code points, each one above
    the previous code point;
  - even and non-zero: the next pointer maps to the previous code point plus ``delta``,
    where ``x / 2`` is ``2 * delta`` for a positive ``delta`` and ``1 - 2 * delta``
    otherwise;
  - zero: followed by a number ``n``: the next ``n`` pointers have no code point.
"""

import codecs
import json

__all__ = ["singleByteIndex", "multiByteIndex", "gb18030Ranges", "pack", "unpack",
           "encodingTablesSource", "SINGLE_BYTE"]

# 90 printable ASCII characters, none of which needs escaping in a "..." JS literal.
ALPHABET = "".join(chr(c) for c in range(0x23, 0x7F) if chr(c) != "\\")[:90]
_BASE = 45

# Encoding name (as the prelude knows it) -> Python codec of its single-byte index.
SINGLE_BYTE = {
    "ibm866": "cp866",
    "iso-8859-2": "iso8859_2",
    "iso-8859-3": "iso8859_3",
    "iso-8859-4": "iso8859_4",
    "iso-8859-5": "iso8859_5",
    "iso-8859-6": "iso8859_6",
    "iso-8859-7": "iso8859_7",
    "iso-8859-8": "iso8859_8",
    "iso-8859-10": "iso8859_10",
    "iso-8859-13": "iso8859_13",
    "iso-8859-14": "iso8859_14",
    "iso-8859-15": "iso8859_15",
    "iso-8859-16": "iso8859_16",
    "koi8-r": "koi8_r",
    "koi8-u": "koi8_u",
    "macintosh": "mac_roman",
    "windows-874": "cp874",
    "windows-1250": "cp1250",
    "windows-1251": "cp1251",
    "windows-1252": "cp1252",
    "windows-1253": "cp1253",
    "windows-1254": "cp1254",
    "windows-1255": "cp1255",
    "windows-1256": "cp1256",
    "windows-1257": "cp1257",
    "windows-1258": "cp1258",
    "x-mac-cyrillic": "mac_cyrillic",
}

# Where the WHATWG single-byte indexes differ from Python's codecs (pointer -> code point).
# KOI8-U is KOI8-RU on the web (two box-drawing bytes are Belarusian/Ukrainian letters);
# windows-1255 has the Hebrew point 0xCA that Microsoft's published table omits.
_SINGLE_BYTE_FIXES = {
    "koi8-u": {0x2E: 0x045E, 0x3E: 0x040E},
    "windows-1255": {0x4A: 0x05BA},
}

# gb18030: the index follows GB 18030-2022 for the 18 characters that moved out of the
# Private Use Area, and keeps 0xA3A0 -> U+3000 and 0xA8BC -> U+1E3F.
_GB18030_FIXES = {
    6555: 0x3000, 7533: 0x1E3F,
    7182: 0xFE10, 7183: 0xFE12, 7184: 0xFE11, 7185: 0xFE13, 7186: 0xFE14, 7187: 0xFE15,
    7188: 0xFE16, 7201: 0xFE17, 7202: 0xFE18, 7208: 0xFE19,
    23775: 0x9FB4, 23783: 0x9FB5, 23788: 0x9FB6, 23789: 0x9FB7, 23795: 0x9FB8,
    23812: 0x9FB9, 23829: 0x9FBA, 23845: 0x9FBB,
}

# JIS X 0212 0x2237 is the fullwidth tilde on the web (Python's euc_jp says U+007E).
_JIS0212_FIXES = {116: 0xFF5E}

# Big5: the web's index is Big5 with the HKSCS-2008 extension. Python's big5hkscs
# (HKSCS-2004 on the older Big5 table) differs for a few punctuation marks and lacks the
# characters added in 2008; these are the Encoding Standard's values for them.
_BIG5_FIXES = {
    5029: 0x2027, 5038: 0xFE51, 5120: 0x00AF, 5153: 0xFF5E, 5168: 0x2295, 5169: 0x2299,
    5182: 0x2215, 5183: 0xFE68, 5185: 0xFFE5, 5187: 0xFFE0, 5188: 0xFFE1,
}
_BIG5_ADDED = (
    # (first pointer, code points...) for each run of consecutive pointers.
    (1000, 0x3875, 0x21D53, 0x2369E, 0x26021, 0x3EEC, 0x258DE, 0x3AF5, 0x7AFC, 0x9F97,
     0x24161, 0x2890D, 0x231EA, 0x20A8A, 0x2325E, 0x430A, 0x8484, 0x9F96, 0x942F,
     0x4930, 0x8613, 0x5896, 0x974A, 0x9218, 0x79D0, 0x7A32, 0x6660, 0x6A29, 0x889D,
     0x744C, 0x7BC5, 0x6782, 0x7A2C, 0x524F, 0x9046, 0x34E6, 0x73C4, 0x25DB9, 0x74C6,
     0x9FC7, 0x57B3, 0x492F, 0x544C, 0x4131, 0x2368E, 0x5818, 0x7A72, 0x27B65, 0x8B8F,
     0x46AE, 0x26E88, 0x4181, 0x25D99, 0x7BAE, 0x224BC, 0x9FC8, 0x224C1, 0x224C9,
     0x224CC, 0x9FC9, 0x8504, 0x235BB, 0x40B4, 0x9FCA, 0x44E1, 0x2ADFF, 0x62C1, 0x706E,
     0x9FCB),
    (2082, 0x7BB8),
    (2088, 0x7C06),
    (2103, 0x7CCE),
    (2114, 0x7DD2),
    (2123, 0x7E1D),
    (2148, 0x8005),
    (2151, 0x8028),
    (2221, 0x83C1),
    (2239, 0x84A8),
    (2244, 0x840F),
    (2303, 0x89A6, 0x89A9),
    (2354, 0x8D77),
    (2400, 0x90FD),
    (2413, 0x92B9),
    (2477, 0x975C),
    (2498, 0x97FF),
    (2605, 0x9F16),
    (2673, 0x8503),
    (2746, 0x5159, 0x515B, 0x515D, 0x515E),
    (2771, 0x936E),
    (2780, 0x7479),
    (2990, 0x6D67),
    (3087, 0x799B),
    (3259, 0x9097),
    (3301, 0x975D),
    (3436, 0x701E),
    (3451, 0x5B28),
    (4136, 0x7201),
    (4138, 0x77D7),
    (4141, 0x7E87),
    (4182, 0x99D6),
    (4206, 0x91D4),
    (4220, 0x60DE),
    (4230, 0x6FB6),
    (4241, 0x8F36),
    (4258, 0x4FBB),
    (4273, 0x71DF),
    (4279, 0x9104),
    (4282, 0x9DF0),
    (4294, 0x83CF),
    (4329, 0x5C10, 0x79E3),
    (4349, 0x5A67),
    (4419, 0x8F0B),
    (4422, 0x7B51),
    (4494, 0x62D0),
    (4624, 0x6062),
    (4694, 0x75F9),
    (4708, 0x6C4A),
    (4742, 0x9B2E),
    (4748, 0x9F17),
    (4815, 0x50ED),
    (4828, 0x5F0C),
    (4902, 0x880F),
    (4922, 0x62CE),
    (4982, 0x7468),
    (4992, 0x7162),
    (4997, 0x7250),
    (5432, 0x2400, 0x2401, 0x2402, 0x2403, 0x2404, 0x2405, 0x2406, 0x2407, 0x2408,
     0x2409, 0x240A, 0x240B, 0x240C, 0x240D, 0x240E, 0x240F, 0x2410, 0x2411, 0x2412,
     0x2413, 0x2414, 0x2415, 0x2416, 0x2417, 0x2418, 0x2419, 0x241A, 0x241B, 0x241C,
     0x241D, 0x241E, 0x241F, 0x2421, 0x20AC),
    (10942, 0x5EF4),
    (10946, 0x65E0),
    (10948, 0x7676),
    (10950, 0x96B6),
    (10957, 0x3003, 0x4EDD),
    (19028, 0x5029),
    (19035, 0x507D),
    (19088, 0x5305),
    (19096, 0x5344),
    (19112, 0x537F),
    (19162, 0x5605),
    (19240, 0x5A77),
    (19299, 0x5E75),
    (19305, 0x5ED0),
    (19326, 0x5F58),
    (19355, 0x60A4),
    (19398, 0x6490),
    (19439, 0x6674),
    (19454, 0x675E),
    (19553, 0x6C9C, 0x6E1D),
    (19557, 0x6E2F),
    (19611, 0x716E),
    (19643, 0x732A),
    (19672, 0x745C),
    (19697, 0x74E9),
    (19748, 0x7809),
)


def _decodeOne(data, codec):
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return ord(text) if len(text) == 1 else None


def singleByteIndex(name):
    """
    The WHATWG index of the single-byte encoding C{name}: a list of 128 code points (or
    C{None}) for the bytes 0x80 to 0xFF.
    """
    codec = SINGLE_BYTE[name]
    table = [_decodeOne(bytes([0x80 + pointer]), codec) for pointer in range(128)]
    if name.startswith("windows-"):
        # Windows code pages pass undefined C1 bytes through as C1 controls.
        for pointer in range(0x20):
            if table[pointer] is None:
                table[pointer] = 0x80 + pointer
    for pointer, codePoint in _SINGLE_BYTE_FIXES.get(name, {}).items():
        table[pointer] = codePoint
    return table


def _sjisBytes(pointer):
    lead, trail = divmod(pointer, 188)
    leadByte = lead + (0x81 if lead < 0x1F else 0xC1)
    trailByte = trail + (0x40 if trail < 0x3F else 0x41)
    return bytes([leadByte, trailByte])


def _gbBytes(pointer):
    lead, trail = divmod(pointer, 190)
    return bytes([0x81 + lead, trail + (0x40 if trail < 0x3F else 0x41)])


def _big5Bytes(pointer):
    lead, trail = divmod(pointer, 157)
    return bytes([0x81 + lead, trail + (0x40 if trail < 0x3F else 0x62)])


def multiByteIndex(name):
    """
    The WHATWG index C{name} (one of C{"jis0208"}, C{"jis0212"}, C{"euc-kr"},
    C{"gb18030"}, C{"big5"}) as a list of code points (or C{None}) indexed by pointer.

    For jis0208 the Shift_JIS user-defined range (pointers 8836 to 10715) is left empty:
    the decoders map it to the Private Use Area arithmetically.
    """
    if name == "jis0208":
        table = [_decodeOne(_sjisBytes(p), "cp932") for p in range(11104)]
        for pointer in range(8836, 10716):
            table[pointer] = None
        return table
    if name == "jis0212":
        table = [_decodeOne(bytes([0x8F, 0xA1 + p // 94, 0xA1 + p % 94]), "euc_jp")
                 for p in range(7211)]
        fixes = _JIS0212_FIXES
    elif name == "euc-kr":
        table = [_decodeOne(bytes([0x81 + p // 190, 0x41 + p % 190]), "cp949")
                 for p in range(23750)]
        fixes = {}
    elif name == "gb18030":
        table = [_decodeOne(_gbBytes(p), "gb18030") for p in range(23940)]
        fixes = _GB18030_FIXES
    elif name == "big5":
        # Pointers below 942 (lead bytes 0x81 to 0x86) are unassigned; the four pointers
        # that decode to two code points are handled by the decoder itself.
        table = [None] * 942 + [_decodeOne(_big5Bytes(p), "big5hkscs")
                                for p in range(942, 19782)]
        fixes = dict(_BIG5_FIXES)
        for run in _BIG5_ADDED:
            for offset, codePoint in enumerate(run[1:]):
                fixes[run[0] + offset] = codePoint
    else:
        raise ValueError("no multi-byte index named %r" % (name,))
    for pointer, codePoint in fixes.items():
        table[pointer] = codePoint
    return table


def gb18030Ranges():
    """
    The index gb18030 ranges: the (pointer, code point) pairs where the four-byte
    gb18030 mapping starts a new run, derived from Python's gb18030 codec. (Pointer 7457
    and the pointers from 189000 are handled by the decoder.)
    """
    ranges = []
    previousOffset = None
    for pointer in range(39420):
        data = bytes([pointer // 12600 + 0x81, pointer // 1260 % 10 + 0x30,
                      pointer // 10 % 126 + 0x81, pointer % 10 + 0x30])
        codePoint = _decodeOne(data, "gb18030")
        if pointer == 7457:
            # The decoder maps this pointer to U+E7C7 itself; the run continues.
            codePoint = previousOffset + pointer
        if codePoint - pointer != previousOffset:
            ranges.append((pointer, codePoint))
            previousOffset = codePoint - pointer
    return ranges


def _number(value, out):
    digits = [ALPHABET[value % _BASE]]
    value //= _BASE
    while value:
        digits.append(ALPHABET[_BASE + value % _BASE])
        value //= _BASE
    out.extend(reversed(digits))


def pack(table):
    """
    Pack a list of code points (or C{None}) into the printable string described in the
    module docstring.
    """
    out = []
    previous = 0
    pointer = 0
    end = len(table)
    while pointer < end:
        codePoint = table[pointer]
        if codePoint is None:
            count = 0
            while pointer < end and table[pointer] is None:
                count += 1
                pointer += 1
            _number(0, out)
            _number(count, out)
        elif codePoint == previous + 1:
            count = 0
            while pointer < end and table[pointer] == previous + 1:
                count += 1
                previous += 1
                pointer += 1
            _number(2 * count - 1, out)
        else:
            delta = codePoint - previous
            _number(2 * (2 * delta if delta > 0 else 1 - 2 * delta), out)
            previous = codePoint
            pointer += 1
    return "".join(out)


def unpack(packed):
    """
    The inverse of L{pack} (the prelude has the same algorithm in JavaScript).
    """
    numbers = []
    value = 0
    for char in packed:
        digit = ALPHABET.index(char)
        if digit >= _BASE:
            value = value * _BASE + digit - _BASE
        else:
            numbers.append(value * _BASE + digit)
            value = 0
    table = []
    previous = 0
    numbers.reverse()
    while numbers:
        x = numbers.pop()
        if x == 0:
            table.extend([None] * numbers.pop())
        elif x % 2:
            for _ in range((x + 1) // 2):
                previous += 1
                table.append(previous)
        else:
            zigzag = x // 2
            previous += zigzag // 2 if zigzag % 2 == 0 else -(zigzag // 2)
            table.append(previous)
    return table


_cache = {}


def encodingTablesSource():
    """
    The JavaScript statement that gives the prelude its tables: it sets
    ``nano.encodingTablesHolder`` to a function whose source text is
    ``function () { return JSON; }``, the JSON being ``{single: {name: packed}, multi:
    {name: packed}, gb18030Ranges: [pointer, code point, pointer, code point, ...]}``.
    Built once per process.
    """
    if "source" not in _cache:
        single = {name: pack(singleByteIndex(name)) for name in SINGLE_BYTE}
        multi = {name: pack(multiByteIndex(name))
                 for name in ("jis0208", "jis0212", "euc-kr", "gb18030", "big5")}
        flat = [value for pair in gb18030Ranges() for value in pair]
        tables = {"single": single, "multi": multi, "gb18030Ranges": flat}
        _cache["source"] = "nano.encodingTablesHolder = function () { return %s; };" % (
            json.dumps(tables, separators=(",", ":")),)
    return _cache["source"]


if __name__ == "__main__":
    print(encodingTablesSource())
