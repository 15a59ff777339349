// MIME types: parsing and serialising, and extracting one from a Content-Type value.
// Spec: https://mimesniff.spec.whatwg.org/#parsing-a-mime-type and
// #serializing-a-mime-type; https://fetch.spec.whatwg.org/#concept-header-extract-mime-type
// and #header-value-get-decode-and-split.
// Host operations: none.
//
// A parsed MIME type is {type, subtype, params: Map} with lowercase type, subtype and
// parameter names.
// Internals put on `nano`: parseMimeType(string) -> MIME type | null,
// serializeMimeType(mime) -> string, extractMimeType(contentTypeValue | null) -> MIME
// type | null (used by 51_body.js for blob() and formData()).

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const QUOTED_OK = /^[\t\x20-\x7e\x80-\xff]*$/;
const HTTP_WS = /^[\t\n\r ]+|[\t\n\r ]+$/g;

function collectQuoted(input, pos, extract) {
  const start = pos;
  let value = "";
  pos++;
  const n = input.length;
  for (;;) {
    while (pos < n && input[pos] !== "\"" && input[pos] !== "\\") value += input[pos++];
    if (pos >= n) break;
    const c = input[pos++];
    if (c === "\\") {
      if (pos >= n) { value += "\\"; break; }
      value += input[pos++];
    } else {
      break;
    }
  }
  return [extract ? value : input.slice(start, pos), pos];
}

function parseMimeType(input) {
  input = input.replace(HTTP_WS, "");
  const n = input.length;
  let pos = input.indexOf("/");
  if (pos <= 0) return null;
  const type = input.slice(0, pos);
  if (!TOKEN.test(type)) return null;
  pos++;
  let end = input.indexOf(";", pos);
  if (end < 0) end = n;
  const subtype = input.slice(pos, end).replace(/[\t\n\r ]+$/, "");
  if (!TOKEN.test(subtype)) return null;
  pos = end;
  const params = new Map();
  while (pos < n) {
    pos++; // ";"
    while (pos < n && /[\t\n\r ]/.test(input[pos])) pos++;
    let start = pos;
    while (pos < n && input[pos] !== ";" && input[pos] !== "=") pos++;
    const name = input.slice(start, pos).toLowerCase();
    if (pos < n) {
      if (input[pos] === ";") continue;
      pos++; // "="
    }
    if (pos >= n) break;
    let value;
    if (input[pos] === "\"") {
      [value, pos] = collectQuoted(input, pos, true);
      while (pos < n && input[pos] !== ";") pos++;
    } else {
      start = pos;
      while (pos < n && input[pos] !== ";") pos++;
      value = input.slice(start, pos).replace(/[\t\n\r ]+$/, "");
      if (value === "") continue;
    }
    if (name !== "" && TOKEN.test(name) && QUOTED_OK.test(value) && !params.has(name)) {
      params.set(name, value);
    }
  }
  return { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params };
}

function serializeMimeType(mime) {
  let s = mime.type + "/" + mime.subtype;
  for (const [name, value] of mime.params) {
    s += ";" + name + "=";
    s += TOKEN.test(value) ? value : "\"" + value.replace(/(["\\])/g, "\\$1") + "\"";
  }
  return s;
}

// https://fetch.spec.whatwg.org/#header-value-get-decode-and-split
function getDecodeSplit(value) {
  const values = [];
  const n = value.length;
  let pos = 0;
  let temp = "";
  for (;;) {
    const start = pos;
    while (pos < n && value[pos] !== "\"" && value[pos] !== ",") pos++;
    temp += value.slice(start, pos);
    if (pos < n && value[pos] === "\"") {
      let piece;
      [piece, pos] = collectQuoted(value, pos, false);
      temp += piece;
      if (pos < n) continue;
    }
    values[values.length] = temp.replace(/^[\t ]+|[\t ]+$/g, "");
    temp = "";
    if (pos >= n) return values;
    pos++;
  }
}

// https://fetch.spec.whatwg.org/#concept-header-extract-mime-type; `value` is the
// combined Content-Type value or null. Returns a parsed MIME type or null (failure).
function extractMimeType(value) {
  if (value === null) return null;
  let charset = null;
  let essence = null;
  let mime = null;
  const values = getDecodeSplit(value);
  for (let i = 0; i < values.length; i++) {
    const temp = parseMimeType(values[i]);
    if (temp === null || (temp.type === "*" && temp.subtype === "*")) continue;
    mime = temp;
    const tempEssence = temp.type + "/" + temp.subtype;
    if (tempEssence !== essence) {
      charset = mime.params.has("charset") ? mime.params.get("charset") : null;
      essence = tempEssence;
    } else if (!mime.params.has("charset") && charset !== null) {
      mime.params.set("charset", charset);
    }
  }
  return mime;
}

nano.parseMimeType = parseMimeType;
nano.serializeMimeType = serializeMimeType;
nano.extractMimeType = extractMimeType;
