// AbortController and AbortSignal (abort, timeout, any with dependent signals).
// Spec: https://dom.spec.whatwg.org/#aborting-ongoing-activities
// Host operations: none directly; AbortSignal.timeout() uses the internal timer queue of
// 40_timers.js (nano.runAfterTimeout), which arms host timers ("timer_set"/"timer").
//
// Internals shared on `nano` (for fetch, streams, ...):
//   nano.createAbortController()        -> AbortController
//   nano.createAbortSignal()            -> a fresh, non-aborted AbortSignal
//   nano.createDependentAbortSignal(signals)
//   nano.signalAbort(signal, reason)    the "signal abort" algorithm
//   nano.addAbortAlgorithm(signal, fn)  run fn() on abort (no-op if already aborted);
//                                       returns fn, pass it to nano.removeAbortAlgorithm
//   nano.removeAbortAlgorithm(signal, fn)
//   nano.isAbortSignal(x), nano.signalAborted(signal), nano.signalReason(signal)

const ReflectApply = Reflect.apply;
const WeakMapCtor = WeakMap;
const SetCtor = Set;
const WeakRefCtor = typeof WeakRef === "function" ? WeakRef : null;
const TypeErrorCtor = TypeError;
const RangeErrorCtor = RangeError;
const ObjectDefineProperty = Object.defineProperty;
const SymbolToStringTag = Symbol.toStringTag;
const SymbolIterator = Symbol.iterator;
const NumberCtor = Number;
const NumberIsFinite = Number.isFinite;
const MathTrunc = Math.trunc;
const EventTarget = nano.EventTarget;
const DOMException = nano.DOMException;

const SafeSet = nano.safeCollection(Set);
const SafeWeakMap = nano.safeCollection(WeakMap);

const CONSTRUCT = Symbol("AbortSignal construct");
const signalStates = new SafeWeakMap();

function signalState(self, what) {
  const state = signalStates.get(self);
  if (state === undefined) throw new TypeErrorCtor("AbortSignal." + what + ": illegal invocation");
  return state;
}

class AbortSignal extends EventTarget {
  constructor(key = undefined) {
    if (key !== CONSTRUCT) throw new TypeErrorCtor("Illegal constructor");
    super();
    signalStates.set(this, {
      aborted: false,
      reason: undefined,
      algorithms: new SafeSet(),
      dependent: false,
      sources: new SafeSet(),
      // Dependent signals are held weakly (WeakRefs, in creation order) unless they have
      // abort listeners or algorithms ("strong"), as the DOM Standard's GC note asks.
      dependents: new SafeSet(),
      strong: new SafeSet(),
      pruneAt: 64,
      selfRef: null,
    });
  }

  static abort(reason = undefined) {
    const signal = createSignal();
    const state = signalStates.get(signal);
    state.aborted = true;
    state.reason = reason === undefined
      ? new DOMException("signal is aborted without reason", "AbortError") : reason;
    return signal;
  }

  static timeout(milliseconds) {
    if (arguments.length < 1) {
      throw new TypeErrorCtor("AbortSignal.timeout: 1 argument required, but only 0 present");
    }
    const ms = enforceRangeULongLong(milliseconds);
    const signal = createSignal();
    nano.runAfterTimeout(ms, () => {
      signalAbort(signal, new DOMException("signal timed out", "TimeoutError"));
    });
    return signal;
  }

  static any(signals) {
    if (arguments.length < 1) {
      throw new TypeErrorCtor("AbortSignal.any: 1 argument required, but only 0 present");
    }
    return createDependentSignal(toSignalSequence(signals));
  }

  get aborted() {
    return signalState(this, "aborted").aborted;
  }

  get reason() {
    return signalState(this, "reason").reason;
  }

  throwIfAborted() {
    const state = signalState(this, "throwIfAborted");
    if (state.aborted) throw state.reason;
  }
}

ObjectDefineProperty(AbortSignal.prototype, SymbolToStringTag, {
  value: "AbortSignal", writable: false, enumerable: false, configurable: true,
});
nano.defineEventHandler(AbortSignal.prototype, "abort", (x) => signalStates.has(x));

function enforceRangeULongLong(value) {
  if (typeof value === "bigint" || typeof value === "symbol") {
    throw new TypeErrorCtor("AbortSignal.timeout: milliseconds must be a number");
  }
  let x = NumberCtor(value);
  if (!NumberIsFinite(x)) {
    throw new TypeErrorCtor("AbortSignal.timeout: milliseconds is not a finite number");
  }
  x = MathTrunc(x);
  if (x < 0 || x > 9007199254740991) {
    throw new TypeErrorCtor("AbortSignal.timeout: milliseconds is outside the accepted range");
  }
  return x + 0;
}

function toSignalSequence(value) {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    throw new TypeErrorCtor("AbortSignal.any: argument is not a sequence");
  }
  const method = value[SymbolIterator];
  if (typeof method !== "function") {
    throw new TypeErrorCtor("AbortSignal.any: argument is not iterable");
  }
  const result = [];
  const iterator = ReflectApply(method, value, []);
  const next = iterator.next;
  for (;;) {
    const step = ReflectApply(next, iterator, []);
    if (step === null || typeof step !== "object") throw new TypeErrorCtor("iterator result is not an object");
    if (step.done) break;
    const item = step.value;
    if (!signalStates.has(item)) {
      throw new TypeErrorCtor("AbortSignal.any: every element must be an AbortSignal");
    }
    result[result.length] = item;
  }
  return result;
}

function createSignal() {
  return new AbortSignal(CONSTRUCT);
}

function createDependentSignal(signals) {
  const result = createSignal();
  const resultState = signalStates.get(result);
  for (let i = 0; i < signals.length; i++) {
    const s = signalStates.get(signals[i]);
    if (s.aborted) {
      resultState.aborted = true;
      resultState.reason = s.reason;
      return result;
    }
  }
  resultState.dependent = true;
  resultState.selfRef = WeakRefCtor !== null ? new WeakRefCtor(result) : { deref: () => result };
  for (let i = 0; i < signals.length; i++) {
    const signal = signals[i];
    const s = signalStates.get(signal);
    if (!s.dependent) {
      linkDependent(signal, s, resultState);
    } else {
      for (const source of s.sources) linkDependent(source, signalStates.get(source), resultState);
    }
  }
  return result;
}

function linkDependent(source, sourceState, resultState) {
  if (resultState.sources.has(source)) return;
  resultState.sources.add(source);
  const dependents = sourceState.dependents;
  dependents.add(resultState.selfRef);
  if (dependents.size > sourceState.pruneAt) {
    for (const ref of dependents) if (ref.deref() === undefined) dependents.delete(ref);
    sourceState.pruneAt = dependents.size * 2 > 64 ? dependents.size * 2 : 64;
  }
}

// A dependent signal that has abort listeners or algorithms must stay alive while a
// source can still abort it: its sources then hold it strongly.
function keepAlive(signal, state) {
  if (!state.dependent || state.aborted) return;
  for (const source of state.sources) signalStates.get(source).strong.add(signal);
}

function unlinkDependent(signal, state) {
  for (const source of state.sources) {
    const sourceState = signalStates.get(source);
    sourceState.dependents.delete(state.selfRef);
    sourceState.strong.delete(signal);
  }
  state.sources.clear();
}

function runAbortSteps(signal, state) {
  const algorithms = state.algorithms;
  state.algorithms = new SafeSet();
  for (const algorithm of algorithms) {
    try {
      algorithm();
    } catch (e) {
      nano.reportException(e);
    }
  }
  nano.fireEvent(signal, "abort");
}

function signalAbort(signal, reason = undefined) {
  const state = signalStates.get(signal);
  if (state === undefined) throw new TypeErrorCtor("nano.signalAbort: not an AbortSignal");
  if (state.aborted) return;
  state.aborted = true;
  state.reason = reason === undefined
    ? new DOMException("signal is aborted without reason", "AbortError") : reason;
  const toAbort = [];
  for (const ref of state.dependents) {
    const dependent = ref.deref();
    if (dependent === undefined) continue;
    const d = signalStates.get(dependent);
    if (!d.aborted) {
      d.aborted = true;
      d.reason = state.reason;
      toAbort[toAbort.length] = dependent;
    }
  }
  // An aborted signal can never abort again: drop the links so nothing is retained.
  state.dependents.clear();
  state.strong.clear();
  if (state.dependent) unlinkDependent(signal, state);
  runAbortSteps(signal, state);
  for (let i = 0; i < toAbort.length; i++) {
    const d = signalStates.get(toAbort[i]);
    unlinkDependent(toAbort[i], d);
    runAbortSteps(toAbort[i], d);
  }
}

// ---- AbortController -----------------------------------------------------------------
const controllerSignals = new SafeWeakMap();

function controllerSignal(self, what) {
  const signal = controllerSignals.get(self);
  if (signal === undefined) throw new TypeErrorCtor("AbortController." + what + ": illegal invocation");
  return signal;
}

class AbortController {
  constructor() {
    controllerSignals.set(this, createSignal());
  }

  get signal() {
    return controllerSignal(this, "signal");
  }

  abort(reason = undefined) {
    signalAbort(controllerSignal(this, "abort"), reason);
  }
}

ObjectDefineProperty(AbortController.prototype, SymbolToStringTag, {
  value: "AbortController", writable: false, enumerable: false, configurable: true,
});
for (const [ctor, keys] of [[AbortController, ["signal", "abort"]],
  [AbortSignal, ["aborted", "reason", "throwIfAborted"]]]) {
  for (const key of keys) {
    const desc = Object.getOwnPropertyDescriptor(ctor.prototype, key);
    desc.enumerable = true;
    ObjectDefineProperty(ctor.prototype, key, desc);
  }
}

// ---- internals -----------------------------------------------------------------------
nano.AbortSignal = AbortSignal;
nano.AbortController = AbortController;
nano.createAbortController = function createAbortController() {
  return new AbortController();
};
nano.createAbortSignal = createSignal;
nano.createDependentAbortSignal = function createDependentAbortSignal(signals) {
  return createDependentSignal(signals);
};
nano.signalAbort = signalAbort;
nano.isAbortSignal = function isAbortSignal(value) {
  return signalStates.has(value);
};
nano.signalAborted = function signalAborted(signal) {
  return signalStates.get(signal).aborted;
};
nano.signalReason = function signalReason(signal) {
  return signalStates.get(signal).reason;
};
nano.addAbortAlgorithm = function addAbortAlgorithm(signal, fn) {
  const state = signalStates.get(signal);
  if (state === undefined) throw new TypeErrorCtor("nano.addAbortAlgorithm: not an AbortSignal");
  if (!state.aborted) {
    state.algorithms.add(fn);
    keepAlive(signal, state);
  }
  return fn;
};
nano.removeAbortAlgorithm = function removeAbortAlgorithm(signal, fn) {
  const state = signalStates.get(signal);
  if (state !== undefined) state.algorithms.delete(fn);
};

nano.onAbortListenerAdded = function onAbortListenerAdded(signal) {
  const state = signalStates.get(signal);
  if (state !== undefined) keepAlive(signal, state);
};

nano.defineGlobal("AbortController", AbortController);
nano.defineGlobal("AbortSignal", AbortSignal);
