// navigator (the Navigator interface with userAgent, as in a worker's WorkerNavigator),
// and `self` (the global object, as in WorkerGlobalScope).
// Spec: https://html.spec.whatwg.org/multipage/system-state.html#the-navigator-object
//       https://html.spec.whatwg.org/multipage/workers.html#dom-workerglobalscope-self
// Host operations: none (the user agent string comes from nano.bootstrap.userAgent).

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const TypeErrorCtor = TypeError;
const StringCtor = String;

const SafeWeakSet = nano.safeCollection(WeakSet);

const CONSTRUCT = Symbol("Navigator construct");
const brands = new SafeWeakSet();
const userAgent = nano.bootstrap && nano.bootstrap.userAgent !== undefined
  ? StringCtor(nano.bootstrap.userAgent) : "NANO";

class Navigator {
  constructor(token = undefined) {
    if (token !== CONSTRUCT) throw new TypeErrorCtor("Illegal constructor");
    brands.add(this);
  }

  get userAgent() {
    if (!brands.has(this)) throw new TypeErrorCtor("Navigator.userAgent: illegal invocation");
    return userAgent;
  }
}

ObjectDefineProperty(Navigator.prototype, Symbol.toStringTag, {
  value: "Navigator", writable: false, enumerable: false, configurable: true,
});
const uaDesc = ObjectGetOwnPropertyDescriptor(Navigator.prototype, "userAgent");
uaDesc.enumerable = true;
ObjectDefineProperty(Navigator.prototype, "userAgent", uaDesc);

const navigator = new Navigator(CONSTRUCT);
nano.Navigator = Navigator;
nano.navigator = navigator;

nano.defineGlobal("Navigator", Navigator);
nano.defineGlobal("navigator", navigator);
// `self` is the global object itself (a getter in WebIDL; a writable value here).
nano.defineGlobal("self", globalThis);
