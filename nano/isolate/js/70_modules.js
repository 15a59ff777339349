// The ES module linker: links and evaluates the module functions that
// nano/isolate/modules.py makes out of an app's module graph (V8 here runs classic
// scripts only, so each module arrives as a generator function expression).
// Spec: https://tc39.es/ecma262/#sec-source-text-module-records (approximated: each
// namespace property is a getter of the exporter's binding, and the transform turns
// every use of an imported name into a namespace read, so imports are live; see
// modules.py).
// Host operations: none. Offers nano.registerModule(path, fn) and
// nano.evaluateModules(entryPath) to the bridge, and nano.registerBuiltinModule(name,
// exports) to later prelude files (modules such as "cloudflare:workers" that every app
// may import; modules.py resolves their names without reading a file).
//
// Protocol with the generated code (`__nano_mod` is the per-module object below):
//   first gen.next():  __nano_link() calls __nano_mod.link(deps, getters, reexports,
//                      stars, checks), __nano_mod.name(fn) for anonymous default
//                      functions, and __nano_mod.import(path) for each dependency
//                      namespace it reads;
//   second gen.next(): the module body runs, which may use
//                      __nano_mod.dyn(path) (import() of a literal),
//                      __nano_mod.computed(specifier) (import() of anything else),
//                      __nano_mod.fail(message) (import() of a bad literal),
//                      __nano_mod.meta (import.meta), __nano_mod.name(value) (names an
//                      anonymous default export "default") and __nano_mod.json(text).

const ObjectCreate = Object.create;
const ObjectDefineProperty = Object.defineProperty;
const ObjectFreeze = Object.freeze;
const ObjectKeys = Object.keys;
const ObjectPreventExtensions = Object.preventExtensions;
const ObjectGetPrototypeOf = Object.getPrototypeOf;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ReflectApply = Reflect.apply;
const ArrayPrototypeSort = Array.prototype.sort;
const ArrayPrototypePush = Array.prototype.push;
const ArrayPrototypePop = Array.prototype.pop;
const ArrayPrototypeJoin = Array.prototype.join;
const StringPrototypeSplit = String.prototype.split;
const StringPrototypeStartsWith = String.prototype.startsWith;
const PromiseCtor = Promise;
const PromisePrototypeThen = Promise.prototype.then;
const JSONParse = JSON.parse;
const SymbolToStringTag = Symbol.toStringTag;
const TypeErrorCtor = TypeError;
const SyntaxErrorCtor = SyntaxError;
const StringCtor = String;
const GeneratorFunctionPrototype = ObjectGetPrototypeOf(function* () {});
const AsyncGeneratorFunctionPrototype = ObjectGetPrototypeOf(async function* () {});
const GeneratorNext = GeneratorFunctionPrototype.prototype.next;
const AsyncGeneratorNext = AsyncGeneratorFunctionPrototype.prototype.next;

const NEW = 0;
const LINKED = 1;
const EVALUATING = 2;
const EVALUATED = 3;
const FAILED = 4;

// path -> record; a null-prototype dictionary (no Map methods user code could patch).
const records = ObjectCreate(null);
const order = [];

function then(promise, onFulfilled, onRejected) {
  return ReflectApply(PromisePrototypeThen, promise, [onFulfilled, onRejected]);
}

function recordOf(path) {
  const record = records[path];
  if (record === undefined) {
    throw new TypeErrorCtor("Cannot find module '" + StringCtor(path) + "'");
  }
  return record;
}

function makeApi(record) {
  const api = ObjectCreate(null);
  api.link = function link(deps, getters, reexports, stars, checks) {
    if (record.deps !== null) return;
    record.deps = deps;
    record.getters = getters;
    record.reexports = reexports;
    record.stars = stars;
    record.checks = checks;
  };
  api.import = function importNamespace(path) {
    return recordOf(path).namespace;
  };
  api.name = function name(value) {
    if (typeof value !== "function") return;
    const descriptor = ObjectGetOwnPropertyDescriptor(value, "name");
    if (descriptor !== undefined && descriptor.value === "__nano_default" && descriptor.configurable) {
      ObjectDefineProperty(value, "name", { value: "default" });
    }
  };
  api.dyn = function dyn(path) {
    return dynamicImport(path);
  };
  api.computed = function computed(specifier) {
    return new PromiseCtor((resolve) => {
      resolve(dynamicImport(resolveComputed(record.path, StringCtor(specifier))));
    });
  };
  api.fail = function fail(message) {
    return new PromiseCtor((resolve, reject) => {
      reject(new TypeErrorCtor(message));
    });
  };
  api.json = function json(text) {
    return JSONParse(text);
  };
  const meta = ObjectCreate(null);
  meta.url = "file:///" + record.path;
  api.meta = meta;
  return ObjectFreeze(api);
}

nano.registerModule = function registerModule(path, fn) {
  path = StringCtor(path);
  if (typeof fn !== "function") {
    throw new TypeErrorCtor("registerModule: expected a module function for " + path);
  }
  if (records[path] !== undefined) {
    throw new TypeErrorCtor("registerModule: module " + path + " is already registered");
  }
  const namespace = ObjectCreate(null);
  ObjectDefineProperty(namespace, SymbolToStringTag, {
    value: "Module", writable: false, enumerable: false, configurable: false,
  });
  const record = {
    path, fn, namespace,
    isAsync: ObjectGetPrototypeOf(fn) === AsyncGeneratorFunctionPrototype,
    status: NEW, generator: null, error: undefined, promise: undefined,
    deps: null, getters: null, reexports: null, stars: null, checks: null,
    exports: null, resolving: false, defined: false,
  };
  record.api = makeApi(record);
  records[path] = record;
  ReflectApply(ArrayPrototypePush, order, [record]);
};

// A module the runtime provides: already evaluated, its namespace made of `exports`
// (name -> getter), registered before any app module.
nano.registerBuiltinModule = function registerBuiltinModule(path, exports) {
  const namespace = ObjectCreate(null);
  ObjectDefineProperty(namespace, SymbolToStringTag, {
    value: "Module", writable: false, enumerable: false, configurable: false,
  });
  const table = ObjectCreate(null);
  const names = ReflectApply(ArrayPrototypeSort, ObjectKeys(exports), []);
  for (let i = 0; i < names.length; i++) {
    table[names[i]] = { get: exports[names[i]], origin: path + "\u0000" + names[i] };
    ObjectDefineProperty(namespace, names[i], {
      get: exports[names[i]], set: undefined, enumerable: true, configurable: false,
    });
  }
  ObjectFreeze(namespace);
  records[path] = {
    path, fn: null, namespace, isAsync: false, status: EVALUATED, generator: null, error: undefined,
    promise: undefined, deps: [], getters: null, reexports: null, stars: null, checks: null,
    exports: table, resolving: false, defined: true, api: null,
  };
};

function link(record) {
  if (record.status !== NEW) return;
  record.status = LINKED;
  const generator = ReflectApply(record.fn, undefined, [record.api]);
  record.generator = generator;
  if (record.isAsync) {
    // The body runs synchronously up to its first `yield`; nothing to wait for.
    then(ReflectApply(AsyncGeneratorNext, generator, []), undefined, nano.reportError);
  } else {
    ReflectApply(GeneratorNext, generator, []);
  }
  if (record.deps === null) {
    throw new TypeErrorCtor("module " + record.path + " did not link (not made by modules.py?)");
  }
}

function namespaceGetter(record, name) {
  return () => record.namespace[name];
}

// The export table of a record: name -> {get, origin} (origin identifies the binding, to
// detect ambiguous `export *` names).
function exportsOf(record) {
  if (record.exports !== null) return record.exports;
  const table = ObjectCreate(null);
  if (record.resolving) return table;  // a cycle through `export *`
  record.resolving = true;
  const getters = record.getters;
  const own = ObjectKeys(getters);
  for (let i = 0; i < own.length; i++) {
    table[own[i]] = { get: getters[own[i]], origin: record.path + "\u0000" + own[i] };
  }
  const reexports = record.reexports;
  const names = ObjectKeys(reexports);
  for (let i = 0; i < names.length; i++) {
    const target = recordOf(reexports[names[i]][0]);
    const imported = reexports[names[i]][1];
    if (imported === null) {
      table[names[i]] = { get: () => target.namespace, origin: target.path + "\u0000*" };
    } else {
      const resolved = exportsOf(target)[imported];
      table[names[i]] = {
        get: namespaceGetter(target, imported),
        origin: resolved !== undefined ? resolved.origin : target.path + "\u0000" + imported,
      };
    }
  }
  const starred = ObjectCreate(null);
  for (let i = 0; i < record.stars.length; i++) {
    const target = recordOf(record.stars[i]);
    const theirs = exportsOf(target);
    const keys = ObjectKeys(theirs);
    for (let j = 0; j < keys.length; j++) {
      const name = keys[j];
      if (name === "default" || table[name] !== undefined) continue;
      const previous = starred[name];
      if (previous === undefined) {
        starred[name] = { get: namespaceGetter(target, name), origin: theirs[name].origin };
      } else if (previous !== null && previous.origin !== theirs[name].origin) {
        starred[name] = null;  // ambiguous: left out, as the spec says
      }
    }
  }
  const starNames = ObjectKeys(starred);
  for (let i = 0; i < starNames.length; i++) {
    if (starred[starNames[i]] !== null) table[starNames[i]] = starred[starNames[i]];
  }
  record.resolving = false;
  record.exports = table;
  return table;
}

function defineNamespace(record) {
  if (record.defined) return;
  record.defined = true;
  const table = exportsOf(record);
  const names = ReflectApply(ArrayPrototypeSort, ObjectKeys(table), []);
  for (let i = 0; i < names.length; i++) {
    ObjectDefineProperty(record.namespace, names[i], {
      get: table[names[i]].get, set: undefined, enumerable: true, configurable: false,
    });
  }
  ObjectPreventExtensions(record.namespace);
}

function linkAll() {
  for (let i = 0; i < order.length; i++) link(order[i]);
  for (let i = 0; i < order.length; i++) defineNamespace(order[i]);
  for (let i = 0; i < order.length; i++) {
    const record = order[i];
    const checks = record.checks;
    if (checks === null || checks.length === 0) continue;
    for (let j = 0; j < checks.length; j++) {
      const target = recordOf(checks[j][0]);
      if (exportsOf(target)[checks[j][1]] === undefined) {
        const error = new SyntaxErrorCtor(
          "The requested module '" + target.path + "' does not provide an export named '" +
          StringCtor(checks[j][1]) + "' (imported by " + record.path + ")");
        fail(record, error);
        throw error;
      }
    }
    record.checks = null;
  }
}

function fail(record, error) {
  if (record.status === FAILED) return;
  record.status = FAILED;
  record.error = error;
}

function finish(record) {
  record.status = EVALUATED;
  ObjectFreeze(record.namespace);
}

// Evaluates a record after its dependencies (depth first, in import order). Returns
// undefined when everything ran synchronously, else a promise (top-level await).
function evaluate(record) {
  const status = record.status;
  if (status === EVALUATED || status === EVALUATING) return record.promise;
  if (status === FAILED) throw record.error;
  record.status = EVALUATING;
  return continueFrom(record, 0);
}

function continueFrom(record, index) {
  try {
    const deps = record.deps;
    for (; index < deps.length; index++) {
      const pending = evaluate(recordOf(deps[index]));
      if (pending !== undefined) {
        const next = index + 1;
        record.promise = then(pending, () => continueFrom(record, next), (error) => {
          fail(record, error);
          throw error;
        });
        return record.promise;
      }
    }
    if (record.isAsync) {
      record.promise = then(ReflectApply(AsyncGeneratorNext, record.generator, []), () => {
        finish(record);
      }, (error) => {
        fail(record, error);
        throw error;
      });
      return record.promise;
    }
    ReflectApply(GeneratorNext, record.generator, []);
  } catch (error) {
    fail(record, error);
    throw error;
  }
  finish(record);
  return undefined;
}

const SUFFIXES = ["", ".js", ".mjs", ".ts", ".mts", ".json", "/index.js", "/index.mjs", "/index.ts"];

// Resolves a computed import() specifier among the registered modules (the loader only
// includes modules named by string literals, so this finds modules already in the graph).
function resolveComputed(importer, specifier) {
  if (ReflectApply(StringPrototypeStartsWith, specifier, ["./"]) ||
      ReflectApply(StringPrototypeStartsWith, specifier, ["../"])) {
    const parts = ReflectApply(StringPrototypeSplit, importer, ["/"]);
    ReflectApply(ArrayPrototypePop, parts, []);
    const segments = ReflectApply(StringPrototypeSplit, specifier, ["/"]);
    let inside = true;
    for (let i = 0; i < segments.length; i++) {
      if (segments[i] === "..") {
        if (parts.length === 0) inside = false;
        ReflectApply(ArrayPrototypePop, parts, []);
      } else if (segments[i] !== "." && segments[i] !== "") {
        ReflectApply(ArrayPrototypePush, parts, [segments[i]]);
      }
    }
    const base = ReflectApply(ArrayPrototypeJoin, parts, ["/"]);
    for (let i = 0; inside && i < SUFFIXES.length; i++) {
      if (records[base + SUFFIXES[i]] !== undefined) return base + SUFFIXES[i];
    }
  }
  throw new TypeErrorCtor("Cannot find module '" + specifier + "' imported by " + importer +
    ": import() loads only modules of the app's graph (name them with a string literal)");
}

function dynamicImport(path) {
  return new PromiseCtor((resolve) => {
    const record = recordOf(path);
    linkAll();
    const pending = evaluate(record);
    resolve(pending === undefined ? record.namespace : then(pending, () => record.namespace));
  });
}

// Evaluates the graph from its entry (every module must be registered first) and returns
// the entry's namespace object, or a promise of it when a module uses top-level await.
// A module that threw throws the same error again on later evaluations.
nano.evaluateModules = function evaluateModules(entryPath) {
  const record = recordOf(StringCtor(entryPath));
  linkAll();
  const pending = evaluate(record);
  if (pending === undefined) return record.namespace;
  return then(pending, () => record.namespace);
};
