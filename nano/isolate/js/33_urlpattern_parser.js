// URLPattern's pattern language: the tokenizer, the pattern string parser (part lists),
// regular expression and pattern string generation, component compilation, and the
// constructor string parser that splits "https://example.com/:id" into components.
// Spec: https://urlpattern.spec.whatwg.org/#tokenizing, #parsing-pattern-strings,
// #generate-a-regular-expression-and-name-list, #generate-a-pattern-string,
// #constructor-string-parsing
// Host operations: none. Uses nano.urlCodePoints (31_url_parser.js) at run time.
//
// Exposes on `nano`: urlPattern = {compileComponent(input, encode, options),
// matchesSpecialScheme(component), escapePatternString(s), parseConstructorString(input,
// canonicalizeProtocol)}; a compiled component is {pattern, regexp, names, hasRegExpGroups}.

const ObjectCreate = Object.create;
const ReflectApply = Reflect.apply;
const FunctionPrototypeCall = Function.prototype.call;
const FunctionPrototypeBind = Function.prototype.bind;
const uncurryThis = (fn) => ReflectApply(FunctionPrototypeBind, FunctionPrototypeCall, [fn]);
const StringCharCodeAt = uncurryThis(String.prototype.charCodeAt);
const StringIncludes = uncurryThis(String.prototype.includes);
const ArrayJoin = uncurryThis(Array.prototype.join);
const ArraySlice = uncurryThis(Array.prototype.slice);
const RegExpExec = uncurryThis(RegExp.prototype.exec);
const RegExpCtor = RegExp;
const TypeErrorCtor = TypeError;

const SPECIAL_SCHEMES = ["ftp", "file", "http", "https", "ws", "wss"];
const FULL_WILDCARD = ".*";
const DEFAULT_OPTIONS = { delimiter: "", prefix: "", ignoreCase: false };

let nameRegExps = null;

function isValidNameCodePoint(cp, first) {
  if (nameRegExps === null) {
    nameRegExps = {
      start: new RegExpCtor("^[\\p{ID_Start}$_]$", "u"),
      part: new RegExpCtor("^[\\p{ID_Continue}$\\u200c\\u200d]$", "u"),
    };
  }
  return RegExpExec(first ? nameRegExps.start : nameRegExps.part, cp) !== null;
}

function isASCIIDigit(ch) {
  return ch !== undefined && ch.length === 1 && ch >= "0" && ch <= "9";
}

// ---- tokenizer ----
function tokenize(input, strict) {
  const cps = nano.urlCodePoints(input, false);
  const tokens = [];
  let index = 0;
  const add = (type, next, valueStart, valueLength) => {
    tokens[tokens.length] = {
      type, index, value: ArrayJoin(ArraySlice(cps, valueStart, valueStart + valueLength), ""),
    };
    index = next;
  };
  const error = (next, valueStart) => {
    if (strict) throw new TypeErrorCtor(`URLPattern: invalid pattern at index ${valueStart}`);
    add("invalid-char", next, valueStart, next - valueStart);
  };
  while (index < cps.length) {
    const c = cps[index];
    let next = index + 1;
    if (c === "*") { add("asterisk", next, index, 1); continue; }
    if (c === "+" || c === "?") { add("other-modifier", next, index, 1); continue; }
    if (c === "\\") {
      if (index === cps.length - 1) { error(next, index); continue; }
      add("escaped-char", next + 1, next, 1);
      continue;
    }
    if (c === "{") { add("open", next, index, 1); continue; }
    if (c === "}") { add("close", next, index, 1); continue; }
    if (c === ":") {
      let pos = next;
      const start = pos;
      while (pos < cps.length && isValidNameCodePoint(cps[pos], pos === start)) pos++;
      if (pos <= start) { error(start, index); continue; }
      add("name", pos, start, pos - start);
      continue;
    }
    if (c === "(") {
      let depth = 1, pos = next, failed = false;
      const start = pos;
      while (pos < cps.length) {
        const r = cps[pos];
        if (r.length !== 1 || StringCharCodeAt(r, 0) > 0x7f) {
          error(start, index); failed = true; break;
        }
        if (pos === start && r === "?") { error(start, index); failed = true; break; }
        if (r === "\\") {
          if (pos === cps.length - 1) { error(start, index); failed = true; break; }
          const e = cps[pos + 1];
          if (e.length !== 1 || StringCharCodeAt(e, 0) > 0x7f) {
            error(start, index); failed = true; break;
          }
          pos += 2;
          continue;
        }
        if (r === ")") {
          depth--;
          if (depth === 0) { pos++; break; }
        } else if (r === "(") {
          depth++;
          if (pos === cps.length - 1) { error(start, index); failed = true; break; }
          if (cps[pos + 1] !== "?") { error(start, index); failed = true; break; }
        }
        pos++;
      }
      if (failed) continue;
      if (depth !== 0) { error(start, index); continue; }
      const length = pos - start - 1;
      if (length === 0) { error(start, index); continue; }
      add("regexp", pos, start, length);
      continue;
    }
    add("char", next, index, 1);
  }
  add("end", index, index, 0);
  return tokens;
}

// ---- pattern parser ----
function escapeRegExpString(s) {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (StringIncludes(".+*?^${}()[]|/\\", c)) out += "\\";
    out += c;
  }
  return out;
}

function escapePatternString(s) {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (StringIncludes("+*?:{}()\\", c)) out += "\\";
    out += c;
  }
  return out;
}

function segmentWildcard(options) {
  return "[^" + escapeRegExpString(options.delimiter) + "]+?";
}

function modifierString(m) {
  return m === "optional" ? "?" : m === "zero-or-more" ? "*" : m === "one-or-more" ? "+" : "";
}

function parsePattern(input, options, encode) {
  const tokens = tokenize(input, true);
  const parts = [];
  const wildcard = segmentWildcard(options);
  let pending = "";
  let index = 0;
  let nextNumericName = 0;
  const tryConsume = (type) => {
    const t = tokens[index];
    if (t.type !== type) return null;
    index++;
    return t;
  };
  const tryModifier = () => tryConsume("other-modifier") || tryConsume("asterisk");
  const tryRegexpOrWildcard = (name) => {
    const t = tryConsume("regexp");
    if (name === null && t === null) return tryConsume("asterisk");
    return t;
  };
  const consumeText = () => {
    let out = "";
    for (;;) {
      const t = tryConsume("char") || tryConsume("escaped-char");
      if (t === null) return out;
      out += t.value;
    }
  };
  const flushPending = () => {
    if (pending === "") return;
    const value = encode(pending);
    pending = "";
    parts[parts.length] = {
      type: "fixed-text", value, modifier: "none", name: "", prefix: "", suffix: "",
    };
  };
  const addPart = (prefix, nameToken, regexpToken, suffix, modifierToken) => {
    let modifier = "none";
    if (modifierToken !== null) {
      modifier = modifierToken.value === "?" ? "optional" :
        modifierToken.value === "*" ? "zero-or-more" : "one-or-more";
    }
    if (nameToken === null && regexpToken === null && modifier === "none") {
      pending += prefix;
      return;
    }
    flushPending();
    if (nameToken === null && regexpToken === null) {
      if (prefix === "") return;
      parts[parts.length] = {
        type: "fixed-text", value: encode(prefix), modifier, name: "", prefix: "", suffix: "",
      };
      return;
    }
    let value;
    if (regexpToken === null) value = wildcard;
    else if (regexpToken.type === "asterisk") value = FULL_WILDCARD;
    else value = regexpToken.value;
    let type = "regexp";
    if (value === wildcard) { type = "segment-wildcard"; value = ""; }
    else if (value === FULL_WILDCARD) { type = "full-wildcard"; value = ""; }
    let name = "";
    if (nameToken !== null) name = nameToken.value;
    else name = "" + nextNumericName++;
    for (let i = 0; i < parts.length; i++) {
      if (parts[i].name === name) throw new TypeErrorCtor(`URLPattern: duplicate name "${name}"`);
    }
    parts[parts.length] = {
      type, value, modifier, name, prefix: encode(prefix), suffix: encode(suffix),
    };
  };
  while (index < tokens.length) {
    const charToken = tryConsume("char");
    const nameToken = tryConsume("name");
    const regexpToken = tryRegexpOrWildcard(nameToken);
    if (nameToken !== null || regexpToken !== null) {
      let prefix = charToken !== null ? charToken.value : "";
      if (prefix !== "" && prefix !== options.prefix) {
        pending += prefix;
        prefix = "";
      }
      flushPending();
      addPart(prefix, nameToken, regexpToken, "", tryModifier());
      continue;
    }
    const fixed = charToken || tryConsume("escaped-char");
    if (fixed !== null) {
      pending += fixed.value;
      continue;
    }
    if (tryConsume("open") !== null) {
      const prefix = consumeText();
      const name = tryConsume("name");
      const regexp = tryRegexpOrWildcard(name);
      const suffix = consumeText();
      if (tryConsume("close") === null) throw new TypeErrorCtor("URLPattern: expected '}'");
      addPart(prefix, name, regexp, suffix, tryModifier());
      continue;
    }
    flushPending();
    if (tryConsume("end") === null) {
      throw new TypeErrorCtor(`URLPattern: unexpected "${tokens[index].value}" in pattern`);
    }
  }
  return parts;
}

function generateRegExp(parts, options) {
  let out = "^";
  const names = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const mod = modifierString(part.modifier);
    if (part.type === "fixed-text") {
      if (part.modifier === "none") out += escapeRegExpString(part.value);
      else out += "(?:" + escapeRegExpString(part.value) + ")" + mod;
      continue;
    }
    names[names.length] = part.name;
    let value = part.value;
    if (part.type === "segment-wildcard") value = segmentWildcard(options);
    else if (part.type === "full-wildcard") value = FULL_WILDCARD;
    const single = part.modifier === "none" || part.modifier === "optional";
    if (part.prefix === "" && part.suffix === "") {
      out += single ? "(" + value + ")" + mod : "((?:" + value + ")" + mod + ")";
      continue;
    }
    const prefix = escapeRegExpString(part.prefix), suffix = escapeRegExpString(part.suffix);
    if (single) {
      out += "(?:" + prefix + "(" + value + ")" + suffix + ")" + mod;
      continue;
    }
    out += "(?:" + prefix + "((?:" + value + ")(?:" + suffix + prefix + "(?:" + value + "))*)" +
      suffix + ")";
    if (part.modifier === "zero-or-more") out += "?";
  }
  return { source: out + "$", names };
}

function generatePatternString(parts, options) {
  let out = "";
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const prev = i > 0 ? parts[i - 1] : null;
    const next = i < parts.length - 1 ? parts[i + 1] : null;
    const mod = modifierString(part.modifier);
    if (part.type === "fixed-text") {
      if (part.modifier === "none") out += escapePatternString(part.value);
      else out += "{" + escapePatternString(part.value) + "}" + mod;
      continue;
    }
    const customName = !isASCIIDigit(part.name[0]);
    let grouping = part.suffix !== "" || (part.prefix !== "" && part.prefix !== options.prefix);
    if (!grouping && customName && part.type === "segment-wildcard" && part.modifier === "none" &&
        next !== null && next.prefix === "" && next.suffix === "") {
      if (next.type === "fixed-text") {
        const first = nano.urlCodePoints(next.value, false)[0];
        if (first !== undefined && isValidNameCodePoint(first, false)) grouping = true;
      } else if (isASCIIDigit(next.name[0])) {
        grouping = true;
      }
    }
    if (!grouping && part.prefix === "" && prev !== null && prev.type === "fixed-text" &&
        prev.value !== "" && prev.value[prev.value.length - 1] === options.prefix) {
      grouping = true;
    }
    if (grouping) out += "{";
    out += escapePatternString(part.prefix);
    if (customName) out += ":" + part.name;
    if (part.type === "regexp") out += "(" + part.value + ")";
    else if (part.type === "segment-wildcard" && !customName) {
      out += "(" + segmentWildcard(options) + ")";
    } else if (part.type === "full-wildcard") {
      if (!customName && (prev === null || prev.type === "fixed-text" ||
          prev.modifier !== "none" || grouping || part.prefix !== "")) {
        out += "*";
      } else {
        out += "(" + FULL_WILDCARD + ")";
      }
    }
    if (part.type === "segment-wildcard" && customName && part.suffix !== "") {
      const first = nano.urlCodePoints(part.suffix, false)[0];
      if (isValidNameCodePoint(first, false)) out += "\\";
    }
    out += escapePatternString(part.suffix);
    if (grouping) out += "}";
    out += mod;
  }
  return out;
}

function compileComponent(input, encode, options) {
  const parts = parsePattern(input, options, encode);
  const { source, names } = generateRegExp(parts, options);
  let regexp;
  try {
    regexp = new RegExpCtor(source, options.ignoreCase ? "vi" : "v");
  } catch (e) {
    throw new TypeErrorCtor(`URLPattern: invalid regular expression ${source}`);
  }
  let hasRegExpGroups = false;
  for (let i = 0; i < parts.length; i++) if (parts[i].type === "regexp") hasRegExpGroups = true;
  return {
    pattern: generatePatternString(parts, options), regexp, names, hasRegExpGroups,
  };
}

function matchesSpecialScheme(component) {
  for (let i = 0; i < SPECIAL_SCHEMES.length; i++) {
    if (RegExpExec(component.regexp, SPECIAL_SCHEMES[i]) !== null) return true;
  }
  return false;
}

// ---- constructor string parser ----
// `canonicalizeProtocol` is the protocol encoding callback (from 33_urlpattern.js).
function parseConstructorString(input, canonicalizeProtocol) {
  const cps = nano.urlCodePoints(input, false);
  const tokens = tokenize(input, false);
  const result = ObjectCreate(null);
  let componentStart = 0, tokenIndex = 0, tokenIncrement = 1, groupDepth = 0;
  let ipv6Depth = 0, protocolSpecial = false, state = "init";
  const safe = (i) => (i < tokens.length ? tokens[i] : tokens[tokens.length - 1]);
  const nonSpecial = (i, value) => {
    const t = safe(i);
    if (t.value !== value) return false;
    return t.type === "char" || t.type === "escaped-char" || t.type === "invalid-char";
  };
  const isSearchPrefix = () => {
    if (nonSpecial(tokenIndex, "?")) return true;
    if (tokens[tokenIndex].value !== "?") return false;
    if (tokenIndex - 1 < 0) return true;
    const prev = safe(tokenIndex - 1);
    return !(prev.type === "name" || prev.type === "regexp" || prev.type === "close" ||
      prev.type === "asterisk");
  };
  const componentString = () => {
    const start = safe(componentStart).index;
    return ArrayJoin(ArraySlice(cps, start, tokens[tokenIndex].index), "");
  };
  const rewind = () => {
    tokenIndex = componentStart;
    tokenIncrement = 0;
  };
  const changeState = (next, skip) => {
    if (state !== "init" && state !== "authority" && state !== "done") {
      result[state] = componentString();
    }
    if (state !== "init" && next !== "done") {
      const early = state === "protocol" || state === "authority" || state === "username" ||
        state === "password";
      if (early && (next === "port" || next === "pathname" || next === "search" ||
          next === "hash") && result.hostname === undefined) {
        result.hostname = "";
      }
      if ((early || state === "hostname" || state === "port") &&
          (next === "search" || next === "hash") && result.pathname === undefined) {
        result.pathname = protocolSpecial ? "/" : "";
      }
      if ((early || state === "hostname" || state === "port" || state === "pathname") &&
          next === "hash" && result.search === undefined) {
        result.search = "";
      }
    }
    state = next;
    tokenIndex += skip;
    componentStart = tokenIndex;
    tokenIncrement = 0;
  };
  while (tokenIndex < tokens.length) {
    tokenIncrement = 1;
    const token = tokens[tokenIndex];
    if (token.type === "end") {
      if (state === "init") {
        rewind();
        if (nonSpecial(tokenIndex, "#")) changeState("hash", 1);
        else if (isSearchPrefix()) changeState("search", 1);
        else changeState("pathname", 0);
        tokenIndex += tokenIncrement;
        continue;
      }
      if (state === "authority") {
        rewind();
        state = "hostname";
        tokenIndex += tokenIncrement;
        continue;
      }
      changeState("done", 0);
      break;
    }
    if (token.type === "open") {
      groupDepth++;
      tokenIndex += tokenIncrement;
      continue;
    }
    if (groupDepth > 0) {
      if (token.type === "close") groupDepth--;
      else {
        tokenIndex += tokenIncrement;
        continue;
      }
    }
    switch (state) {
      case "init":
        if (nonSpecial(tokenIndex, ":")) {
          rewind();
          state = "protocol";
        }
        break;
      case "protocol":
        if (nonSpecial(tokenIndex, ":")) {
          const component = compileComponent(componentString(), canonicalizeProtocol,
            DEFAULT_OPTIONS);
          protocolSpecial = matchesSpecialScheme(component);
          let next = "pathname", skip = 1;
          if (nonSpecial(tokenIndex + 1, "/") && nonSpecial(tokenIndex + 2, "/")) {
            next = "authority";
            skip = 3;
          } else if (protocolSpecial) {
            next = "authority";
          }
          changeState(next, skip);
        }
        break;
      case "authority":
        if (nonSpecial(tokenIndex, "@")) {
          rewind();
          state = "username";
        } else if (nonSpecial(tokenIndex, "/") || isSearchPrefix() ||
                   nonSpecial(tokenIndex, "#")) {
          rewind();
          state = "hostname";
        }
        break;
      case "username":
        if (nonSpecial(tokenIndex, ":")) changeState("password", 1);
        else if (nonSpecial(tokenIndex, "@")) changeState("hostname", 1);
        break;
      case "password":
        if (nonSpecial(tokenIndex, "@")) changeState("hostname", 1);
        break;
      case "hostname":
        if (nonSpecial(tokenIndex, "[")) ipv6Depth++;
        else if (nonSpecial(tokenIndex, "]")) ipv6Depth--;
        else if (nonSpecial(tokenIndex, ":") && ipv6Depth === 0) changeState("port", 1);
        else if (nonSpecial(tokenIndex, "/")) changeState("pathname", 0);
        else if (isSearchPrefix()) changeState("search", 1);
        else if (nonSpecial(tokenIndex, "#")) changeState("hash", 1);
        break;
      case "port":
        if (nonSpecial(tokenIndex, "/")) changeState("pathname", 0);
        else if (isSearchPrefix()) changeState("search", 1);
        else if (nonSpecial(tokenIndex, "#")) changeState("hash", 1);
        break;
      case "pathname":
        if (isSearchPrefix()) changeState("search", 1);
        else if (nonSpecial(tokenIndex, "#")) changeState("hash", 1);
        break;
      case "search":
        if (nonSpecial(tokenIndex, "#")) changeState("hash", 1);
        break;
      default:
        break;
    }
    tokenIndex += tokenIncrement;
  }
  if (result.hostname !== undefined && result.port === undefined) result.port = "";
  return result;
}

nano.urlPattern = {
  compileComponent, matchesSpecialScheme, escapePatternString, parseConstructorString,
};
