// Domain to ASCII: UTS #46 processing (mapping, NFC, Punycode, validity criteria) with
// the URL Standard's options: CheckHyphens=false, CheckBidi=true, CheckJoiners=true,
// UseSTD3ASCIIRules=false, Transitional=false, VerifyDnsLength=false.
// Spec: https://url.spec.whatwg.org/#concept-domain-to-ascii,
// https://www.unicode.org/reports/tr46/, https://www.rfc-editor.org/rfc/rfc3492 (Punycode),
// https://www.rfc-editor.org/rfc/rfc5893 (Bidi rule), RFC 5892 Appendix A (ContextJ).
// Host operations: none.
//
// V8 has ICU but no IDNA API, so the UTS #46 mapping table is derived from the engine's
// own Unicode data: a code point is disallowed if unassigned, private-use, surrogate or a
// non-ASCII control; default-ignorable code points are removed; every other code point
// maps to NFKC(lowercase(NFKC(cp))) (the table's definition is NFKC_Casefold plus a few
// exceptions, kept here as explicit rules). Bidi classes are approximated from scripts and
// general categories. All regular expressions are created on the first non-ASCII host.
// Exposes on `nano`: domainToASCII(domain, beStrict) -> string or null, punycodeEncode,
// punycodeDecode.

const StringFromCodePoint = String.fromCodePoint;
const MathFloor = Math.floor;
const ReflectApply = Reflect.apply;
const FunctionPrototypeCall = Function.prototype.call;
const FunctionPrototypeBind = Function.prototype.bind;
const uncurryThis = (fn) => ReflectApply(FunctionPrototypeBind, FunctionPrototypeCall, [fn]);
const StringCharCodeAt = uncurryThis(String.prototype.charCodeAt);
const StringSlice = uncurryThis(String.prototype.slice);
const StringSplit = uncurryThis(String.prototype.split);
const StringIndexOf = uncurryThis(String.prototype.indexOf);
const StringLastIndexOf = uncurryThis(String.prototype.lastIndexOf);
const ArrayJoin = uncurryThis(Array.prototype.join);
const ArraySplice = uncurryThis(Array.prototype.splice);
const StringPrototypeNormalize = String.prototype.normalize;
const StringPrototypeToLowerCase = String.prototype.toLowerCase;
const StringPrototypeToUpperCase = String.prototype.toUpperCase;
const StringPrototypeCodePointAt = String.prototype.codePointAt;
const RegExpPrototypeExec = RegExp.prototype.exec;
const RegExpCtor = RegExp;

function codePoints(s) { return nano.urlCodePoints(s); }
function normalize(s, form) { return ReflectApply(StringPrototypeNormalize, s, [form]); }
function lower(s) { return ReflectApply(StringPrototypeToLowerCase, s, []); }
function toUpper(s) { return ReflectApply(StringPrototypeToUpperCase, s, []); }
function cpAt(s, i) { return ReflectApply(StringPrototypeCodePointAt, s, [i]); }
function test(re, s) { return ReflectApply(RegExpPrototypeExec, re, [s]) !== null; }

const NEEDS_PROCESSING = /[^\u0000-\u007f]|(^|\.)xn--/i;

// ---- Punycode (RFC 3492) ----
const BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700;
const MAXINT = 0x7fffffff;

function adapt(delta, numPoints, first) {
  delta = first ? MathFloor(delta / DAMP) : delta >> 1;
  delta += MathFloor(delta / numPoints);
  let k = 0;
  while (delta > ((BASE - TMIN) * TMAX) >> 1) {
    delta = MathFloor(delta / (BASE - TMIN));
    k += BASE;
  }
  return k + MathFloor(((BASE - TMIN + 1) * delta) / (delta + SKEW));
}

function digitChar(d) { return StringFromCodePoint(d < 26 ? d + 0x61 : d + 0x16); }

function punycodeEncode(input) {
  const cps = [];
  const chars = codePoints(input);
  for (let i = 0; i < chars.length; i++) cps[cps.length] = cpAt(chars[i], 0);
  let out = "";
  for (let i = 0; i < cps.length; i++) if (cps[i] < 0x80) out += StringFromCodePoint(cps[i]);
  const b = out.length;
  let h = b;
  if (b > 0) out += "-";
  let n = 0x80, delta = 0, bias = 72;
  while (h < cps.length) {
    let m = 0x10ffff + 1;
    for (let i = 0; i < cps.length; i++) if (cps[i] >= n && cps[i] < m) m = cps[i];
    if ((m - n) * (h + 1) > MAXINT - delta) return null;
    delta += (m - n) * (h + 1);
    n = m;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i];
      if (c < n && ++delta > MAXINT) return null;
      if (c === n) {
        let q = delta;
        for (let k = BASE; ; k += BASE) {
          const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
          if (q < t) break;
          out += digitChar(t + ((q - t) % (BASE - t)));
          q = MathFloor((q - t) / (BASE - t));
        }
        out += digitChar(q);
        bias = adapt(delta, h + 1, h === b);
        delta = 0;
        h++;
      }
    }
    delta++;
    n++;
  }
  return out;
}

function digitValue(c) {
  if (c >= 0x30 && c <= 0x39) return c - 22;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61;
  return -1;
}

// Decode a Punycode string (without the "xn--" prefix); null when invalid.
function punycodeDecode(input) {
  const out = [];
  let b = StringLastIndexOf(input, "-");
  if (b < 0) b = 0;
  for (let j = 0; j < b; j++) {
    const c = StringCharCodeAt(input, j);
    if (c >= 0x80) return null;
    out[out.length] = c;
  }
  let n = 0x80, i = 0, bias = 72;
  for (let pos = b > 0 ? b + 1 : 0; pos < input.length;) {
    const oldi = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (pos >= input.length) return null;
      const digit = digitValue(StringCharCodeAt(input, pos++));
      if (digit < 0) return null;
      if (digit > MAXINT / w || i + digit * w > MAXINT) return null;
      i += digit * w;
      const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
      if (digit < t) break;
      w *= BASE - t;
      if (w > MAXINT) return null;
    }
    bias = adapt(i - oldi, out.length + 1, oldi === 0);
    n += MathFloor(i / (out.length + 1));
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    i %= out.length + 1;
    ArraySplice(out, i, 0, n);
    i++;
  }
  let s = "";
  for (let j = 0; j < out.length; j++) s += StringFromCodePoint(out[j]);
  return s;
}

// ---- lazily built Unicode data ----
let U = null;

function unicodeData() {
  if (U !== null) return U;
  const R = (src) => new RegExpCtor(src, "u");
  U = {
    disallowed: R("^[\\p{Cn}\\p{Co}\\p{Cs}\\u0080-\\u009f\\u2028\\u2029\\u0600-\\u0605" +
      "\\u061c\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u1680\\u200e\\u200f\\u202a-\\u202e" +
      "\\u2066-\\u2069\\u2ff0-\\u2fff\\u31ef\\ufff9-\\ufffd\\u{110bd}\\u{110cd}" +
      "\\u{13430}-\\u{1343f}\\u{E0001}\\u{E0020}-\\u{E007F}]$"),
    cherokee: R("^\\p{Script=Cherokee}$"),
    ignored: R("^[\\p{Default_Ignorable_Code_Point}]$"),
    keep: R("^[\\u200c\\u200d\\u00df\\u03c2]$"),
    mark: R("^\\p{M}"),
    virama: R("[\\u094d\\u09cd\\u0a4d\\u0acd\\u0b4d\\u0bcd\\u0c4d\\u0ccd\\u0d3b\\u0d3c\\u0d4d" +
      "\\u0dca\\u0e3a\\u0eba\\u0f84\\u1039\\u103a\\u1714\\u1715\\u1734\\u17d2\\u1a60\\u1b44" +
      "\\u1baa\\u1bab\\u1bf2\\u1bf3\\u2d7f\\ua806\\ua82c\\ua8c4\\ua953\\ua9c0\\uaaf6\\uabed" +
      "\\u{10a3f}\\u{11046}\\u{11070}\\u{1107f}\\u{110b9}\\u{11133}\\u{11134}\\u{111c0}" +
      "\\u{11235}\\u{112ea}\\u{1134d}\\u{11442}\\u{114c2}\\u{115bf}\\u{1163f}\\u{116b6}" +
      "\\u{1172b}\\u{11839}\\u{1193d}\\u{1193e}\\u{119e0}\\u{11a34}\\u{11a47}\\u{11a99}" +
      "\\u{11c3f}\\u{11d44}\\u{11d45}\\u{11d97}]$"),
    // Joining types for the ZWNJ rule: scripts whose letters join (approximation of D/L/R).
    joining: R("^[\\p{Script=Arabic}\\p{Script=Syriac}\\p{Script=Nko}\\p{Script=Mongolian}" +
      "\\p{Script=Mandaic}\\p{Script=Manichaean}\\p{Script=Psalter_Pahlavi}" +
      "\\p{Script=Adlam}\\p{Script=Hanifi_Rohingya}\\p{Script=Sogdian}\\p{Script=Phags_Pa}]$"),
    transparent: R("^[\\p{Mn}\\p{Me}\\p{Cf}]$"),
    // Bidi classes (approximate).
    bidiAN: R("^[\\u0600-\\u0605\\u0660-\\u0669\\u066b\\u066c\\u06dd\\u0890\\u0891\\u08e2" +
      "\\u{10d30}-\\u{10d39}\\u{10e60}-\\u{10e7e}]$"),
    bidiEN: R("^[0-9\\u00b2\\u00b3\\u00b9\\u06f0-\\u06f9\\u2070\\u2074-\\u2079\\u2080-\\u2089" +
      "\\u2488-\\u249b\\uff10-\\uff19\\u{1d7ce}-\\u{1d7ff}\\u{1f100}-\\u{1f10a}]$"),
    bidiAL: R("^[\\u{1ec70}-\\u{1ecbf}\\u{1ed00}-\\u{1ed4f}\\p{Script=Arabic}\\p{Script=Syriac}\\p{Script=Thaana}" +
      "\\p{Script=Hanifi_Rohingya}\\p{Script=Sogdian}\\u0608\\u060b\\u060d\\u061b-\\u064a" +
      "\\u066d-\\u066f\\u0671-\\u06d5\\u06e5\\u06e6\\u06ee\\u06ef\\u06fa-\\u070d]$"),
    bidiR: R("^[\\p{Script=Hebrew}\\p{Script=Samaritan}\\p{Script=Mandaic}\\p{Script=Nko}" +
      "\\p{Script=Adlam}\\p{Script=Cypriot}\\p{Script=Imperial_Aramaic}" +
      "\\p{Script=Phoenician}\\p{Script=Kharoshthi}\\p{Script=Old_South_Arabian}" +
      "\\p{Script=Avestan}\\p{Script=Inscriptional_Parthian}\\p{Script=Old_Turkic}" +
      "\\p{Script=Nabataean}\\p{Script=Palmyrene}\\p{Script=Manichaean}" +
      "\\p{Script=Mende_Kikakui}\\p{Script=Old_Hungarian}\\p{Script=Yezidi}" +
      "\\p{Script=Hatran}\\p{Script=Meroitic_Cursive}\\p{Script=Meroitic_Hieroglyphs}" +
      "\\p{Script=Lydian}\\p{Script=Old_Sogdian}\\p{Script=Elymaic}" +
      "\\p{Script=Chorasmian}\\p{Script=Old_Uyghur}\\p{Script=Psalter_Pahlavi}" +
      "\\p{Script=Inscriptional_Pahlavi}\\u200f\\ufb1d-\\ufb4f\\u{10800}-\\u{10fff}" +
      "\\u{1e800}-\\u{1ec6f}\\u{1ed00}-\\u{1edff}]$"),
    bidiNSM: R("^[\\p{Mn}\\p{Me}]$"),
    bidiL: R("^[\\p{L}\\p{Mc}\\p{Nl}\\p{Nd}\\p{Co}\\u200e]$"),
    // Punctuation and symbols shared between scripts are neutral; those of one LTR script
    // are L.
    bidiON: R("^[\\p{Script=Common}\\p{Script=Inherited}]$"),
    bidiES: R("^[+\\-\\u207a\\u207b\\u208a\\u208b\\u2212\\ufb29\\ufe62\\ufe63\\uff0b\\uff0d]$"),
    bidiCS: R("^[,./:\\u00a0\\u060c\\u202f\\u2044\\ufe50\\ufe52\\ufe55\\uff0c\\uff0e" +
      "\\uff0f\\uff1a]$"),
    bidiET: R("^[#$%\\u00a2-\\u00a5\\u00b0\\u00b1\\u058f\\u0609\\u060a\\u066a\\u09f2\\u09f3" +
      "\\u0af1\\u0bf9\\u0e3f\\u17db\\u2030-\\u2034\\u20a0-\\u20cf\\u212e\\u2213\\ufe5f\\ufe69" +
      "\\ufe6a\\uff03-\\uff05\\uffe0\\uffe1\\uffe5\\uffe6]$"),
    bidiBN: R("^[\\p{Cc}\\p{Cf}]$"),
  };
  return U;
}

// Simple case folding from the engine's case mappings: Cherokee folds to upper case,
// everything else to lower(upper(x)) (which also folds iota subscripts and final sigma).
function foldCase(x, u) {
  if (test(u.cherokee, x)) return toUpper(x);
  if (x === "\u0131") return x;
  return lower(toUpper(x));
}

// Map one code point (as a string) per UTS #46 with Transitional=false and
// UseSTD3ASCIIRules=false; returns the mapped string, or null when disallowed.
function mapCodePoint(ch) {
  const c = cpAt(ch, 0);
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? lower(ch) : ch;
  const u = unicodeData();
  if (test(u.keep, ch)) return ch;
  if (test(u.disallowed, ch)) return null;
  if (test(u.ignored, ch)) return "";
  if (c === 0x3002 || c === 0xff0e || c === 0xff61) return ".";
  let m = normalize(ch, "NFKC");
  let l = "";
  const chars = codePoints(m);
  for (let i = 0; i < chars.length; i++) l += foldCase(chars[i], u);
  m = normalize(l, "NFKC");
  if (StringIndexOf(m, ".") >= 0) return null;
  if (m === ch) return ch;
  // Mapped results are themselves mapped until stable (e.g. case pairs after NFKC).
  let again = "";
  for (let i_x = 0, a_x = codePoints(m); i_x < a_x.length; i_x++) {
    const x = a_x[i_x];if (x === ch) return ch;
    const y = mapCodePoint(x);
    if (y === null) return null;
    again += y;
  }
  return StringIndexOf(again, ".") >= 0 ? null : again;
}

function isValidCodePoint(ch) {
  return mapCodePoint(ch) === ch;
}

function bidiClass(ch) {
  const u = unicodeData();
  if (test(u.bidiEN, ch)) return "EN";
  if (test(u.bidiAN, ch)) return "AN";
  if (test(u.bidiNSM, ch)) return "NSM";
  if (test(u.bidiR, ch)) return "R";
  if (test(u.bidiAL, ch)) return "AL";
  if (test(u.bidiES, ch)) return "ES";
  if (test(u.bidiCS, ch)) return "CS";
  if (test(u.bidiET, ch)) return "ET";
  if (test(u.bidiBN, ch)) return "BN";
  if (test(u.bidiL, ch)) return "L";
  return test(u.bidiON, ch) ? "ON" : "L";
}

function checkJoiners(cps) {
  const u = unicodeData();
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i];
    if (ch !== "\u200c" && ch !== "\u200d") continue;
    if (i > 0 && test(u.virama, cps[i - 1])) continue;
    if (ch === "\u200d") return false;
    // ZWNJ: (L|D) T* ZWNJ T* (R|D), approximated with joining scripts.
    let j = i - 1;
    while (j >= 0 && test(u.transparent, cps[j])) j--;
    let k = i + 1;
    while (k < cps.length && test(u.transparent, cps[k])) k++;
    if (j < 0 || k >= cps.length || !test(u.joining, cps[j]) || !test(u.joining, cps[k])) {
      return false;
    }
  }
  return true;
}

function checkBidiLabel(cps) {
  if (cps.length === 0) return true;
  const classes = [];
  for (let i = 0; i < cps.length; i++) classes[i] = bidiClass(cps[i]);
  const first = classes[0];
  let end = classes.length - 1;
  while (end >= 0 && classes[end] === "NSM") end--;
  const last = end >= 0 ? classes[end] : "NSM";
  if (first === "R" || first === "AL") {
    let en = false, an = false;
    for (let i = 0; i < classes.length; i++) {
      const k = classes[i];
      if (k === "L") return false;
      if (k === "EN") en = true;
      if (k === "AN") an = true;
    }
    if (en && an) return false;
    return last === "R" || last === "AL" || last === "EN" || last === "AN";
  }
  if (first !== "L") return false;
  for (let i = 0; i < classes.length; i++) {
    const k = classes[i];
    if (k === "R" || k === "AL" || k === "AN") return false;
  }
  return last === "L" || last === "EN";
}

function isBidiDomain(labels) {
  for (let i = 0; i < labels.length; i++) {
    for (let i_ch = 0, a_ch = codePoints(labels[i]); i_ch < a_ch.length; i_ch++) {
      const ch = a_ch[i_ch];const k = bidiClass(ch);
      if (k === "R" || k === "AL" || k === "AN") return true;
    }
  }
  return false;
}

// UTS #46 ToASCII with the URL Standard's options; null on any recorded error.
function toASCII(domain) {
  let mapped = "";
  for (let i_ch = 0, a_ch = codePoints(domain); i_ch < a_ch.length; i_ch++) {
    const ch = a_ch[i_ch];const m = mapCodePoint(ch);
    if (m === null) return null;
    mapped += m;
  }
  mapped = normalize(mapped, "NFC");
  const labels = StringSplit(mapped, ".");
  for (let i = 0; i < labels.length; i++) {
    let label = labels[i];
    if (label.length >= 4 && lower(StringSlice(label, 0, 4)) === "xn--") {
      if (test(/[^\u0000-\u007f]/, label)) return null;
      const decoded = punycodeDecode(StringSlice(label, 4));
      if (decoded === null || decoded === "" || !test(/[^\u0000-\u007f]/, decoded)) return null;
      label = decoded;
      labels[i] = label;
      if (normalize(label, "NFC") !== label) return null;
      if (label.length >= 4 && lower(StringSlice(label, 0, 4)) === "xn--") return null;
      const chars = codePoints(label);
      for (let j = 0; j < chars.length; j++) if (!isValidCodePoint(chars[j])) return null;
    }
    if (label === "") continue;
    if (StringIndexOf(label, ".") >= 0) return null;
    if (test(/[^\u0000-\u007f]/, label)) {
      const u = unicodeData();
      if (test(u.mark, label)) return null;
      if (!checkJoiners(codePoints(label))) return null;
    }
  }
  if (isBidiDomain(labels)) {
    for (let i = 0; i < labels.length; i++) {
      if (!checkBidiLabel(codePoints(labels[i]))) return null;
    }
  }
  for (let i = 0; i < labels.length; i++) {
    if (test(/[^\u0000-\u007f]/, labels[i])) {
      const enc = punycodeEncode(labels[i]);
      if (enc === null) return null;
      labels[i] = "xn--" + enc;
    }
  }
  return ArrayJoin(labels, ".");
}

// https://url.spec.whatwg.org/#concept-domain-to-ascii (beStrict is always false here).
nano.domainToASCII = function domainToASCII(domain, beStrict) {
  if (!test(NEEDS_PROCESSING, domain)) return lower(domain);
  return toASCII(domain);
};
nano.punycodeEncode = punycodeEncode;
nano.punycodeDecode = punycodeDecode;
nano.idnaMapCodePoint = mapCodePoint;
