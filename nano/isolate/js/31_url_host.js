// URL host parsing: IPv4 (decimal, octal and hex parts, "ends in a number"), IPv6 (with
// embedded IPv4, serialized with the longest zero run compressed), opaque hosts and domains
// (percent-decoded, then domain-to-ASCII from 32_idna.js, then the forbidden code point
// check).
// Spec: https://url.spec.whatwg.org/#host-parsing, https://url.spec.whatwg.org/#host-serializing
// Host operations: none.
//
// Exposes on `nano`: urlParseHost(input, isOpaque) -> serialized host or null.

const NumberParseInt = Number.parseInt;
const MathFloor = Math.floor;
const MathPow = Math.pow;
const ReflectApply = Reflect.apply;
const FunctionPrototypeCall = Function.prototype.call;
const FunctionPrototypeBind = Function.prototype.bind;
const uncurryThis = (fn) => ReflectApply(FunctionPrototypeBind, FunctionPrototypeCall, [fn]);
const StringCharCodeAt = uncurryThis(String.prototype.charCodeAt);
const StringSlice = uncurryThis(String.prototype.slice);
const StringSplit = uncurryThis(String.prototype.split);
const NumberToString = uncurryThis(Number.prototype.toString);
const RegExpPrototypeExec = RegExp.prototype.exec;

function test(re, s) {
  re.lastIndex = 0;
  return ReflectApply(RegExpPrototypeExec, re, [s]) !== null;
}

function hexValue(c) {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

const FORBIDDEN_HOST = /[\u0000\u0009\u000a\u000d #/:<>?@[\\\]^|]/;
const FORBIDDEN_DOMAIN = /[\u0000-\u001f #%/:<>?@[\\\]^|\u007f]/;
const DIGITS = /^[0-9]+$/;
const OCT = /^[0-7]+$/;
const HEXDIGITS = /^[0-9a-fA-F]+$/;

function ipv4Number(part) {
  if (part === "") return null;
  let radix = 10;
  if (part.length >= 2 && part[0] === "0" && (part[1] === "x" || part[1] === "X")) {
    part = StringSlice(part, 2);
    radix = 16;
  } else if (part.length >= 2 && part[0] === "0") {
    part = StringSlice(part, 1);
    radix = 8;
  }
  if (part === "") return 0;
  const re = radix === 10 ? DIGITS : radix === 16 ? HEXDIGITS : OCT;
  if (!test(re, part)) return null;
  return NumberParseInt(part, radix);
}

function endsInANumber(input) {
  const parts = StringSplit(input, ".");
  if (parts[parts.length - 1] === "") {
    if (parts.length === 1) return false;
    parts.length--;
  }
  const last = parts[parts.length - 1];
  if (last !== "" && test(DIGITS, last)) return true;
  return ipv4Number(last) !== null && last.length >= 2 && last[0] === "0" &&
    (last[1] === "x" || last[1] === "X");
}

function parseIPv4(input) {
  const parts = StringSplit(input, ".");
  if (parts[parts.length - 1] === "" && parts.length > 1) parts.length--;
  if (parts.length > 4) return null;
  const numbers = [];
  for (let i = 0; i < parts.length; i++) {
    const n = ipv4Number(parts[i]);
    if (n === null) return null;
    numbers[i] = n;
  }
  for (let i = 0; i < numbers.length - 1; i++) if (numbers[i] > 255) return null;
  let ipv4 = numbers[numbers.length - 1];
  if (ipv4 >= MathPow(256, 5 - numbers.length)) return null;
  for (let i = 0; i < numbers.length - 1; i++) ipv4 += numbers[i] * MathPow(256, 3 - i);
  let out = "";
  for (let i = 0; i < 4; i++) {
    out = (ipv4 % 256) + (i === 0 ? "" : ".") + out;
    ipv4 = MathFloor(ipv4 / 256);
  }
  return out;
}

function isDigit(c) { return c >= 0x30 && c <= 0x39; }

function parseIPv6(s) {
  const address = [0, 0, 0, 0, 0, 0, 0, 0];
  let pieceIndex = 0, compress = null, p = 0;
  const at = (i) => (i < s.length ? StringCharCodeAt(s, i) : -1);
  if (at(p) === 0x3a) {
    if (at(p + 1) !== 0x3a) return null;
    p += 2;
    compress = ++pieceIndex;
  }
  while (at(p) !== -1) {
    if (pieceIndex === 8) return null;
    if (at(p) === 0x3a) {
      if (compress !== null) return null;
      p++;
      compress = ++pieceIndex;
      continue;
    }
    let value = 0, length = 0;
    while (length < 4 && hexValue(at(p)) >= 0) {
      value = value * 16 + hexValue(at(p));
      p++;
      length++;
    }
    if (at(p) === 0x2e) {
      if (length === 0) return null;
      p -= length;
      if (pieceIndex > 6) return null;
      let numbersSeen = 0;
      while (at(p) !== -1) {
        let piece = null;
        if (numbersSeen > 0) {
          if (at(p) === 0x2e && numbersSeen < 4) p++;
          else return null;
        }
        if (!isDigit(at(p))) return null;
        while (isDigit(at(p))) {
          const n = at(p) - 0x30;
          if (piece === null) piece = n;
          else if (piece === 0) return null;
          else piece = piece * 10 + n;
          if (piece > 255) return null;
          p++;
        }
        address[pieceIndex] = address[pieceIndex] * 0x100 + piece;
        numbersSeen++;
        if (numbersSeen === 2 || numbersSeen === 4) pieceIndex++;
      }
      if (numbersSeen !== 4) return null;
      break;
    } else if (at(p) === 0x3a) {
      p++;
      if (at(p) === -1) return null;
    } else if (at(p) !== -1) return null;
    address[pieceIndex++] = value;
  }
  if (compress !== null) {
    let swaps = pieceIndex - compress;
    pieceIndex = 7;
    while (pieceIndex !== 0 && swaps > 0) {
      const t = address[pieceIndex];
      address[pieceIndex] = address[compress + swaps - 1];
      address[compress + swaps - 1] = t;
      pieceIndex--;
      swaps--;
    }
  } else if (pieceIndex !== 8) return null;
  return address;
}

function serializeIPv6(address) {
  let bestStart = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (address[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && address[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  let out = "";
  let ignore0 = false;
  for (let i = 0; i < 8; i++) {
    if (ignore0 && address[i] === 0) continue;
    ignore0 = false;
    if (i === bestStart) {
      out += i === 0 ? "::" : ":";
      ignore0 = true;
      continue;
    }
    out += NumberToString(address[i], 16);
    if (i !== 7) out += ":";
  }
  return out;
}

// The host parser. Returns the serialized host, or null on failure.
function parseHost(input, isOpaque) {
  if (input[0] === "[") {
    if (input[input.length - 1] !== "]") return null;
    const address = parseIPv6(StringSlice(input, 1, -1));
    return address === null ? null : "[" + serializeIPv6(address) + "]";
  }
  if (isOpaque) {
    if (test(FORBIDDEN_HOST, input)) return null;
    return nano.urlPercentEncode(input, "c0", false);
  }
  const domain = nano.urlUtf8Decode(nano.percentDecodeBytes(input));
  const ascii = nano.domainToASCII(domain, false);
  if (ascii === null || ascii === "" || test(FORBIDDEN_DOMAIN, ascii)) return null;
  if (endsInANumber(ascii)) return parseIPv4(ascii);
  return ascii;
}

nano.urlParseHost = parseHost;
