// Atomics.wait, made unavailable as on a browser's main thread.
// Spec: https://tc39.es/ecma262/#sec-atomics.wait (an agent whose [[CanBlock]] is
// false throws a TypeError; HTML makes the main thread such an agent).
// Host operations: none.
//
// An isolate runs every request of its app on one thread; Atomics.wait on a shared
// buffer nobody notifies would block that thread forever without using CPU, out of
// the CPU watchdog's sight. Atomics.waitAsync stays available.

const TypeErrorCtor = TypeError;
const ObjectDefineProperty = Object.defineProperty;

function wait() {
  throw new TypeErrorCtor("Atomics.wait cannot be called in this context: an app's isolate cannot block");
}
ObjectDefineProperty(wait, "name", { value: "wait" });
ObjectDefineProperty(wait, "length", { value: 4 });
ObjectDefineProperty(Atomics, "wait", { value: wait, writable: true, enumerable: false, configurable: true });
