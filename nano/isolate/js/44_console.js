// console: the Console namespace (logging, formatting, counting, timing, grouping, table)
// with a readable value printer of our own.
// Spec: https://console.spec.whatwg.org/
// Host operations: sends ["log", level, text, requestId] with level one of
// "debug" | "info" | "warn" | "error" (log/info/dir/table/count/time -> info;
// debug/trace -> debug).
//
// Messages longer than 64 KiB of UTF-8 are truncated (with a marker). Values are printed
// with nano.inspect(value, {depth}) (depth 2 by default; arrays/sets/maps show at most 100
// entries, objects at most 1000 properties, nested strings at most 10000 characters, cycles as [Circular *n]).
//
// Internals shared on `nano`:
//   nano.inspect(value, options)   the printer ({depth})
//   nano.formatLogArgs(args)       printf-style formatting of a console call's arguments
//   nano.registerInspector(test, fn)   custom printing for platform objects:
//       test(value) -> boolean, fn(value, inspectNested) -> string

const ReflectApply = Reflect.apply;
const ReflectOwnKeys = Reflect.ownKeys;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectPrototypePropertyIsEnumerable = Object.prototype.propertyIsEnumerable;
const ObjectPrototypeToString = Object.prototype.toString;
const ObjectPrototype = Object.prototype;
const FunctionPrototypeToString = Function.prototype.toString;
const ArrayIsArray = Array.isArray;
const ArrayPrototypeJoin = Array.prototype.join;
const StringCtor = String;
const NumberCtor = Number;
const NumberParseInt = Number.parseInt;
const NumberParseFloat = Number.parseFloat;
const ObjectIs = Object.is;
const JSONStringify = JSON.stringify;
const DateNow = Date.now;
const ErrorCtor = Error;
const MapCtor = Map;
const getterOf = (proto, key) => ObjectGetOwnPropertyDescriptor(proto, key).get;
const MapSize = getterOf(Map.prototype, "size");
const MapEntries = Map.prototype.entries;
const SetSize = getterOf(Set.prototype, "size");
const SetValues = Set.prototype.values;
const DateGetTime = Date.prototype.getTime;
const DateToISOString = Date.prototype.toISOString;
const RegExpToString = RegExp.prototype.toString;
const RegExpSource = getterOf(RegExp.prototype, "source");
const BooleanValueOf = Boolean.prototype.valueOf;
const NumberValueOf = Number.prototype.valueOf;
const StringValueOf = String.prototype.valueOf;
const BigIntValueOf = BigInt.prototype.valueOf;
const SymbolValueOf = Symbol.prototype.valueOf;
const SymbolToString = Symbol.prototype.toString;
const ArrayBufferByteLength = getterOf(ArrayBuffer.prototype, "byteLength");
const TypedArrayPrototype = ObjectGetPrototypeOf(Uint8Array.prototype);
const TypedArrayToStringTag = getterOf(TypedArrayPrototype, Symbol.toStringTag);
const TypedArrayLength = getterOf(TypedArrayPrototype, "length");
const WeakMapHas = WeakMap.prototype.has;
const WeakSetHas = WeakSet.prototype.has;
const ErrorIsError = typeof Error.isError === "function" ? Error.isError : undefined;
const SymbolToStringTag = Symbol.toStringTag;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const SafeMap = nano.safeCollection(Map);

const MAX_ITEMS = 100;
const MAX_KEYS = 1000;
const MAX_STRING = 10000;
const LINE_WIDTH = 72;
const MAX_MESSAGE_BYTES = 65536;

const inspectors = [];
nano.registerInspector = function registerInspector(test, fn) {
  inspectors[inspectors.length] = { test, fn };
};

function hasSlot(fn, value, args = []) {
  try {
    ReflectApply(fn, value, args);
    return true;
  } catch (e) {
    return false;
  }
}

function quote(text) {
  if (text.length > MAX_STRING) {
    return quote(text.slice(0, MAX_STRING)) + "... " + (text.length - MAX_STRING) + " more characters";
  }
  let out = "'";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const code = text.charCodeAt(i);
    if (c === "'") out += "\\'";
    else if (c === "\\") out += "\\\\";
    else if (c === "\n") out += "\\n";
    else if (c === "\t") out += "\\t";
    else if (c === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + (code < 16 ? "0" : "") + code.toString(16).toUpperCase();
    else out += c;
  }
  return out + "'";
}

function formatKey(key) {
  if (typeof key === "symbol") return "[" + ReflectApply(SymbolToString, key, []) + "]";
  return IDENTIFIER.test(key) ? key : quote(key);
}

function formatNumber(n) {
  return ObjectIs(n, -0) ? "-0" : StringCtor(n);
}

function formatPrimitive(value, top) {
  switch (typeof value) {
    case "string": return top ? value : quote(value);
    case "number": return formatNumber(value);
    case "bigint": return StringCtor(value) + "n";
    case "symbol": return ReflectApply(SymbolToString, value, []);
    case "undefined": return "undefined";
    case "boolean": return value ? "true" : "false";
    default: return "null";
  }
}

function constructorName(value) {
  let proto = value;
  try {
    while (proto !== null) {
      const desc = ObjectGetOwnPropertyDescriptor(proto, "constructor");
      if (desc !== undefined && typeof desc.value === "function" && typeof desc.value.name === "string" &&
          desc.value.name !== "") {
        return desc.value.name;
      }
      proto = ObjectGetPrototypeOf(proto);
    }
  } catch (e) {
    return null;
  }
  return null;
}

function isError(value) {
  if (ErrorIsError !== undefined) return ErrorIsError(value) || (nano.isDOMException && nano.isDOMException(value));
  return value instanceof ErrorCtor;
}

function functionLabel(fn) {
  let source = "";
  try {
    source = ReflectApply(FunctionPrototypeToString, fn, []);
  } catch (e) {
    source = "";
  }
  const name = typeof fn.name === "string" && fn.name !== "" ? fn.name : "";
  if (source.startsWith("class")) return "[class " + (name || "(anonymous)") + "]";
  let kind = "Function";
  if (source.startsWith("async function*")) kind = "AsyncGeneratorFunction";
  else if (source.startsWith("async")) kind = "AsyncFunction";
  else if (source.startsWith("function*")) kind = "GeneratorFunction";
  return "[" + kind + (name ? ": " + name : " (anonymous)") + "]";
}

function Inspector(depth) {
  this.depth = depth;
  this.seen = [];
  this.circular = new SafeMap();
}

// Own enumerable string keys and own enumerable symbols, as "key: value" entries.
function propertyEntries(ins, value, level, skipIndices) {
  const out = [];
  const keys = ReflectOwnKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (skipIndices && typeof key === "string" && isIndex(key)) continue;
    if (!ReflectApply(ObjectPrototypePropertyIsEnumerable, value, [key])) continue;
    if (out.length >= MAX_KEYS) {
      out[out.length] = "... more properties";
      break;
    }
    const desc = ObjectGetOwnPropertyDescriptor(value, key);
    let text;
    if (desc.get !== undefined || desc.set !== undefined) {
      text = desc.get !== undefined ? (desc.set !== undefined ? "[Getter/Setter]" : "[Getter]") : "[Setter]";
    } else {
      text = formatValue(ins, desc.value, level + 1, false);
    }
    out[out.length] = formatKey(key) + ": " + text;
  }
  return out;
}

function isIndex(key) {
  const n = NumberCtor(key);
  return n >>> 0 === n && StringCtor(n) === key && n !== 4294967295;
}

function wrap(ins, prefix, open, close, entries, level) {
  if (entries.length === 0) {
    return (prefix ? prefix + " " : "") + open + close;
  }
  let total = prefix.length + 2;
  let multiline = false;
  for (let i = 0; i < entries.length; i++) {
    total += entries[i].length + 2;
    if (entries[i].indexOf("\n") !== -1) multiline = true;
  }
  const head = prefix ? prefix + " " : "";
  if (!multiline && total + level * 2 <= LINE_WIDTH) {
    return head + open + " " + ReflectApply(ArrayPrototypeJoin, entries, [", "]) + " " + close;
  }
  const pad = "  ";
  const lines = [];
  for (let i = 0; i < entries.length; i++) {
    lines[lines.length] = pad + entries[i].split("\n").join("\n" + pad);
  }
  return head + open + "\n" + ReflectApply(ArrayPrototypeJoin, lines, [",\n"]) + "\n" + close;
}

function formatValue(ins, value, level, top) {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    return formatPrimitive(value, top);
  }
  for (let i = 0; i < inspectors.length; i++) {
    if (inspectors[i].test(value)) {
      return inspectors[i].fn(value, (v) => formatValue(ins, v, level + 1, false));
    }
  }
  if (ins.seen.indexOf(value) !== -1) {
    let index = ins.circular.get(value);
    if (index === undefined) {
      index = ins.circular.size + 1;
      ins.circular.set(value, index);
    }
    return "[Circular *" + index + "]";
  }
  ins.seen.push(value);
  try {
    const text = formatObject(ins, value, level);
    const index = ins.circular.get(value);
    return index === undefined ? text : "<ref *" + index + "> " + text;
  } finally {
    ins.seen.pop();
  }
}

function formatError(ins, value, level) {
  let stack;
  try {
    stack = value.stack;
  } catch (e) {
    stack = undefined;
  }
  let text;
  if (typeof stack === "string" && stack !== "") {
    text = stack;
  } else {
    let name = "Error", message = "";
    try {
      name = StringCtor(value.name);
      message = StringCtor(value.message);
    } catch (e) {
      // Keep the defaults.
    }
    text = message ? name + ": " + message : name;
    if (!stack) text = "[" + text + "]";
  }
  const extra = [];
  const keys = ReflectOwnKeys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (key === "stack" || key === "message") continue;
    if (!ReflectApply(ObjectPrototypePropertyIsEnumerable, value, [key]) && key !== "cause") continue;
    const desc = ObjectGetOwnPropertyDescriptor(value, key);
    const shown = "value" in desc ? formatValue(ins, desc.value, level + 1, false) : "[Getter]";
    extra[extra.length] = formatKey(key) + ": " + shown;
  }
  if (extra.length === 0) return text;
  if (level > ins.depth) return text;
  return wrap(ins, text, "{", "}", extra, level);
}

function formatObject(ins, value, level) {
  if (typeof value === "function") {
    const label = functionLabel(value);
    const props = level > ins.depth ? [] : propertyEntries(ins, value, level, false);
    return props.length === 0 ? label : wrap(ins, label, "{", "}", props, level);
  }
  if (isError(value)) return formatError(ins, value, level);
  const name = constructorName(value);
  if (hasSlot(DateGetTime, value)) {
    const time = ReflectApply(DateGetTime, value, []);
    return time === time ? ReflectApply(DateToISOString, value, []) : "Invalid Date";
  }
  if (value !== RegExp.prototype && hasSlot(RegExpSource, value)) {
    return ReflectApply(RegExpToString, value, []);
  }
  if (hasSlot(BooleanValueOf, value)) return "[Boolean: " + formatPrimitive(ReflectApply(BooleanValueOf, value, []), false) + "]";
  if (hasSlot(NumberValueOf, value)) return "[Number: " + formatPrimitive(ReflectApply(NumberValueOf, value, []), false) + "]";
  if (hasSlot(StringValueOf, value)) return "[String: " + formatPrimitive(ReflectApply(StringValueOf, value, []), false) + "]";
  if (hasSlot(BigIntValueOf, value)) return "[BigInt: " + formatPrimitive(ReflectApply(BigIntValueOf, value, []), false) + "]";
  if (hasSlot(SymbolValueOf, value)) return "[Symbol: " + formatPrimitive(ReflectApply(SymbolValueOf, value, []), false) + "]";
  if (hasSlot(WeakMapHas, value, [{}])) return "WeakMap { <items unknown> }";
  if (hasSlot(WeakSetHas, value, [{}])) return "WeakSet { <items unknown> }";

  const isArray = ArrayIsArray(value);
  const typedName = ArrayBuffer.isView(value) ? ReflectApply(TypedArrayToStringTag, value, []) : undefined;
  const isMap = hasSlot(MapSize, value);
  const isSet = !isMap && hasSlot(SetSize, value);
  const isBuffer = hasSlot(ArrayBufferByteLength, value);
  let tag = "";
  try {
    const t = value[SymbolToStringTag];
    if (typeof t === "string" && t !== "" && t !== name) tag = t;
  } catch (e) {
    tag = "";
  }
  let prefix;
  if (name === null) prefix = "[" + (isArray ? "Array" : "Object") + ": null prototype]";
  else prefix = name;
  if (tag) prefix += " [" + tag + "]";

  if (level > ins.depth) {
    if (isArray) return "[Array]";
    return "[" + (name === null ? "Object: null prototype" : name) + "]";
  }

  if (isArray || typedName !== undefined) {
    const length = isArray ? value.length : ReflectApply(TypedArrayLength, value, []);
    const entries = [];
    let holes = 0;
    const shown = length < MAX_ITEMS ? length : MAX_ITEMS;
    for (let i = 0; i < shown; i++) {
      if (isArray && !(i in value)) {
        holes++;
        continue;
      }
      if (holes > 0) {
        entries[entries.length] = "<" + holes + " empty item" + (holes > 1 ? "s" : "") + ">";
        holes = 0;
      }
      entries[entries.length] = formatValue(ins, value[i], level + 1, false);
    }
    if (holes > 0) entries[entries.length] = "<" + holes + " empty item" + (holes > 1 ? "s" : "") + ">";
    if (length > shown) entries[entries.length] = "... " + (length - shown) + " more item" + (length - shown > 1 ? "s" : "");
    const props = propertyEntries(ins, value, level, true);
    for (let i = 0; i < props.length; i++) entries[entries.length] = props[i];
    let head = "";
    if (typedName !== undefined) head = (name || typedName) + "(" + length + ")";
    else if (name !== "Array") head = prefix + "(" + length + ")";
    return wrap(ins, head, "[", "]", entries, level);
  }
  if (isMap || isSet) {
    const size = ReflectApply(isMap ? MapSize : SetSize, value, []);
    const it = ReflectApply(isMap ? MapEntries : SetValues, value, []);
    const entries = [];
    let count = 0;
    for (let step = it.next(); !step.done; step = it.next()) {
      if (count++ >= MAX_ITEMS) break;
      if (isMap) {
        entries[entries.length] = formatValue(ins, step.value[0], level + 1, false) + " => " +
          formatValue(ins, step.value[1], level + 1, false);
      } else {
        entries[entries.length] = formatValue(ins, step.value, level + 1, false);
      }
    }
    if (size > MAX_ITEMS) entries[entries.length] = "... " + (size - MAX_ITEMS) + " more items";
    const props = propertyEntries(ins, value, level, false);
    for (let i = 0; i < props.length; i++) entries[entries.length] = props[i];
    return wrap(ins, prefix + "(" + size + ")", "{", "}", entries, level);
  }
  if (isBuffer) {
    const bytes = new Uint8Array(value);
    let hex = "";
    const shown = bytes.length < 50 ? bytes.length : 50;
    for (let i = 0; i < shown; i++) {
      hex += (i ? " " : "") + (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    if (bytes.length > shown) hex += " ... " + (bytes.length - shown) + " more bytes";
    return wrap(ins, prefix, "{", "}",
      ["[Uint8Contents]: <" + hex + ">", "byteLength: " + bytes.length], level);
  }
  const entries = propertyEntries(ins, value, level, false);
  return wrap(ins, prefix === "Object" ? "" : prefix, "{", "}", entries, level);
}

function inspect(value, options = undefined) {
  let depth = 2;
  if (options !== undefined && options !== null && options.depth !== undefined) {
    depth = options.depth === null ? Infinity : NumberCtor(options.depth);
  }
  return formatValue(new Inspector(depth), value, 0, false);
}

function inspectTop(value) {
  return formatValue(new Inspector(2), value, 0, true);
}

// ---- printf-style formatting (https://console.spec.whatwg.org/#formatter) -------------
function formatArgs(args) {
  if (args.length === 0) return "";
  let out = "";
  let next = 0;
  const first = args[0];
  if (typeof first === "string") {
    next = 1;
    let i = 0;
    while (i < first.length) {
      const c = first[i];
      if (c !== "%" || i + 1 >= first.length) {
        out += c;
        i++;
        continue;
      }
      const spec = first[i + 1];
      if (spec === "%") {
        out += "%";
        i += 2;
        continue;
      }
      if ("sdifoOc".indexOf(spec) === -1 || next >= args.length) {
        out += c;
        i++;
        continue;
      }
      const arg = args[next++];
      i += 2;
      switch (spec) {
        case "s":
          if (typeof arg === "string") out += arg;
          else if (typeof arg === "bigint") out += StringCtor(arg) + "n";
          else if (typeof arg === "symbol") out += ReflectApply(SymbolToString, arg, []);
          else if (arg !== null && typeof arg === "object") out += formatValue(new Inspector(1), arg, 0, false);
          else out += formatPrimitive(arg, true);
          break;
        case "d":
        case "i":
          if (typeof arg === "bigint") out += StringCtor(arg) + "n";
          else if (typeof arg === "symbol" || (arg !== null && typeof arg === "object")) out += "NaN";
          else if (spec === "d") out += formatNumber(NumberCtor(arg));
          else out += formatNumber(NumberParseInt(arg, 10));
          break;
        case "f":
          out += typeof arg === "symbol" ? "NaN" : formatNumber(NumberParseFloat(arg));
          break;
        case "o":
          out += formatValue(new Inspector(4), arg, 0, false);
          break;
        case "O":
          out += formatValue(new Inspector(2), arg, 0, false);
          break;
        default: // "c": CSS is ignored.
          break;
      }
    }
  } else {
    out = inspectTop(first);
    next = 1;
  }
  for (let j = next; j < args.length; j++) out += " " + inspectTop(args[j]);
  return out;
}

// ---- output --------------------------------------------------------------------------
let groupIndent = "";

function truncate(text) {
  if (text.length * 3 <= MAX_MESSAGE_BYTES) return text;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let size = code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) size = 4;
    }
    if (bytes + size > MAX_MESSAGE_BYTES - 64) {
      return text.slice(0, i) + "... [truncated " + (text.length - i) + " characters]";
    }
    bytes += size;
    if (size === 4) i++;
  }
  return text;
}

function emit(level, text) {
  if (groupIndent !== "") text = groupIndent + text.split("\n").join("\n" + groupIndent);
  nano.send(["log", level, truncate(text), nano.currentRequestId()]);
}

function stackBelow(fn) {
  const holder = {};
  if (typeof ErrorCtor.captureStackTrace === "function") {
    ErrorCtor.captureStackTrace(holder, fn);
    const stack = holder.stack;
    if (typeof stack === "string") {
      const newline = stack.indexOf("\n");
      return newline === -1 ? "" : stack.slice(newline);
    }
  }
  return "";
}

function labelOf(label) {
  return label === undefined ? "default" : StringCtor(label);
}

const counts = new SafeMap();
const timers = new SafeMap();

function elapsed(label) {
  return (DateNow() - timers.get(label)) + "ms";
}

function makeMethod(name, fn) {
  // Name the function as the spec's operation (console.log.name === "log").
  Object.defineProperty(fn, "name", { value: name, configurable: true });
  return fn;
}

const consoleNamespace = {};
const methods = {
  log(...data) { emit("info", formatArgs(data)); },
  info(...data) { emit("info", formatArgs(data)); },
  debug(...data) { emit("debug", formatArgs(data)); },
  warn(...data) { emit("warn", formatArgs(data)); },
  error(...data) { emit("error", formatArgs(data)); },
  trace(...data) {
    const text = formatArgs(data);
    emit("debug", "Trace" + (text ? ": " + text : "") + stackBelow(consoleNamespace.trace));
  },
  assert(condition = false, ...data) {
    if (condition) return;
    if (data.length === 0) data = ["Assertion failed"];
    else if (typeof data[0] === "string") data[0] = "Assertion failed: " + data[0];
    else data.unshift("Assertion failed:");
    emit("error", formatArgs(data));
  },
  table(tabularData = undefined, properties = undefined) {
    if (tabularData === null || typeof tabularData !== "object") {
      emit("info", formatArgs([tabularData]));
      return;
    }
    emit("info", renderTable(tabularData, properties));
  },
  dir(item = undefined, options = undefined) {
    emit("info", inspect(item, options));
  },
  dirxml(...data) { emit("info", formatArgs(data)); },
  count(label = undefined) {
    label = labelOf(label);
    const n = (counts.get(label) || 0) + 1;
    counts.set(label, n);
    emit("info", label + ": " + n);
  },
  countReset(label = undefined) {
    label = labelOf(label);
    if (counts.has(label)) counts.set(label, 0);
    else emit("warn", "Count for '" + label + "' does not exist");
  },
  group(...data) {
    if (data.length > 0) emit("info", formatArgs(data));
    groupIndent += "  ";
  },
  groupCollapsed(...data) {
    if (data.length > 0) emit("info", formatArgs(data));
    groupIndent += "  ";
  },
  groupEnd() {
    groupIndent = groupIndent.slice(0, groupIndent.length >= 2 ? groupIndent.length - 2 : 0);
  },
  time(label = undefined) {
    label = labelOf(label);
    if (timers.has(label)) {
      emit("warn", "Timer '" + label + "' already exists");
      return;
    }
    timers.set(label, DateNow());
  },
  timeLog(label = undefined, ...data) {
    label = labelOf(label);
    if (!timers.has(label)) {
      emit("warn", "Timer '" + label + "' does not exist");
      return;
    }
    const extra = data.length > 0 ? " " + formatArgs(data) : "";
    emit("info", label + ": " + elapsed(label) + extra);
  },
  timeEnd(label = undefined) {
    label = labelOf(label);
    if (!timers.has(label)) {
      emit("warn", "Timer '" + label + "' does not exist");
      return;
    }
    const text = label + ": " + elapsed(label);
    timers.delete(label);
    emit("info", text);
  },
};

// ---- console.table -------------------------------------------------------------------
function cellText(value) {
  if (value === undefined) return "";
  return formatValue(new Inspector(0), value, 1, false);
}

function rowsOf(data) {
  const rows = [];
  if (hasSlot(MapSize, data)) {
    let i = 0;
    for (const [k, v] of ReflectApply(MapEntries, data, [])) {
      rows[rows.length] = { index: StringCtor(i++), key: k, value: v, isMap: true };
    }
    return rows;
  }
  if (hasSlot(SetSize, data)) {
    let i = 0;
    for (const v of ReflectApply(SetValues, data, [])) rows[rows.length] = { index: StringCtor(i++), value: v };
    return rows;
  }
  const keys = ReflectOwnKeys(data);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (typeof key !== "string") continue;
    if (!ReflectApply(ObjectPrototypePropertyIsEnumerable, data, [key])) continue;
    rows[rows.length] = { index: key, value: data[key] };
  }
  return rows;
}

function renderTable(data, properties) {
  const rows = rowsOf(data);
  const isMap = rows.length > 0 && rows[0].isMap;
  const columns = [];
  let hasValues = false;
  const filter = ArrayIsArray(properties) ? properties.map((p) => StringCtor(p)) : null;
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i].value;
    if (v !== null && typeof v === "object") {
      const keys = filter !== null ? filter : ReflectOwnKeys(v).filter((k) => typeof k === "string" &&
        ReflectApply(ObjectPrototypePropertyIsEnumerable, v, [k]));
      for (const k of keys) if (columns.indexOf(k) === -1) columns.push(k);
    } else {
      hasValues = true;
    }
  }
  const header = [isMap ? "(iteration index)" : "(index)"];
  if (isMap) header.push("Key");
  for (const c of columns) header.push(c);
  if (hasValues || isMap) header.push("Values");
  const body = [];
  for (const row of rows) {
    const line = [row.index];
    if (isMap) line.push(cellText(row.key));
    const v = row.value;
    const isObj = v !== null && typeof v === "object";
    for (const c of columns) {
      line.push(isObj && c in v ? cellText(v[c]) : "");
    }
    if (hasValues || isMap) line.push(isObj ? "" : cellText(v));
    body.push(line);
  }
  const widths = header.map((h, i) => {
    let w = h.length;
    for (const line of body) if (line[i].length > w) w = line[i].length;
    return w + 2;
  });
  const center = (text, width) => {
    const left = ((width - text.length) / 2) | 0;
    return " ".repeat(left) + text + " ".repeat(width - text.length - left);
  };
  // The box-drawing characters are escapes: one character above U+00FF anywhere in
  // the prelude makes V8 keep the whole prelude text as a two-byte string on every
  // isolate's heap (nano/test/test_prelude.py checks).
  const rule = (l, m, r) => l + widths.map((w) => "\u2500".repeat(w)).join(m) + r;
  const out = [rule("\u250c", "\u252c", "\u2510"),
    "\u2502" + header.map((h, i) => center(h, widths[i])).join("\u2502") + "\u2502",
    rule("\u251c", "\u253c", "\u2524")];
  for (const line of body) out.push("\u2502" + line.map((c, i) => center(c, widths[i])).join("\u2502") + "\u2502");
  out.push(rule("\u2514", "\u2534", "\u2518"));
  return out.join("\n");
}

// ---- install -------------------------------------------------------------------------
const names = ReflectOwnKeys(methods);
for (let i = 0; i < names.length; i++) {
  const name = names[i];
  Object.defineProperty(consoleNamespace, name, {
    value: makeMethod(name, methods[name]), writable: true, enumerable: true, configurable: true,
  });
}
Object.defineProperty(consoleNamespace, SymbolToStringTag, {
  value: "console", writable: false, enumerable: false, configurable: true,
});

nano.inspect = inspect;
nano.formatLogArgs = formatArgs;
nano.console = consoleNamespace;

nano.defineGlobal("console", consoleNamespace);
