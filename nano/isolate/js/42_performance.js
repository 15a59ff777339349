// performance: the Performance interface's now(), timeOrigin and toJSON().
// Spec: https://w3c.github.io/hr-time/#sec-performance
// Host operations: none.
//
// Clock: the isolate's only clock is Date.now(), so performance.now() has millisecond
// resolution (it is also made monotonic: it never goes backwards when the wall clock
// does). timeOrigin comes from nano.bootstrap.timeOrigin (ms since the epoch, taken by
// Python when the isolate was created); performance.now() is Date.now() - timeOrigin.

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const TypeErrorCtor = TypeError;
const SymbolToStringTag = Symbol.toStringTag;

const SafeWeakSet = nano.safeCollection(WeakSet);

const CONSTRUCT = Symbol("Performance construct");
const brands = new SafeWeakSet();

function check(self, what) {
  if (!brands.has(self)) throw new TypeErrorCtor("Performance." + what + ": illegal invocation");
}

class Performance extends nano.EventTarget {
  constructor(key = undefined) {
    if (key !== CONSTRUCT) throw new TypeErrorCtor("Illegal constructor");
    super();
    brands.add(this);
  }

  now() {
    check(this, "now");
    return nano.highResNow();
  }

  get timeOrigin() {
    check(this, "timeOrigin");
    return nano.timeOrigin;
  }

  toJSON() {
    check(this, "toJSON");
    return { timeOrigin: nano.timeOrigin };
  }
}

ObjectDefineProperty(Performance.prototype, SymbolToStringTag, {
  value: "Performance", writable: false, enumerable: false, configurable: true,
});
for (const key of ["now", "timeOrigin", "toJSON"]) {
  const desc = ObjectGetOwnPropertyDescriptor(Performance.prototype, key);
  desc.enumerable = true;
  ObjectDefineProperty(Performance.prototype, key, desc);
}

const performance = new Performance(CONSTRUCT);
nano.performance = performance;

nano.defineGlobal("Performance", Performance);
nano.defineGlobal("performance", performance);
