// Isolation probe: walks everything reachable from globalThis (own properties and
// symbols, accessor functions, prototypes, Map and Set contents) looking for other
// apps' secrets. The test sends the secrets reversed, so that the only copies of the
// real strings in this isolate are locals of this handler, unreachable from globals.
// A control string is put at a nested global path first: the walk must find it.
export default {
  fetch(request, env) {
    const reverse = (s) => s.split("").reverse().join("");
    const needles = request.headers.get("x-needles").split(",").map(reverse);
    const control = reverse(request.headers.get("x-control"));
    globalThis.__probeControl = { list: [new Map([["key", new Set([control])]])] };
    const seen = new Set();
    const queue = [[globalThis, "globalThis"]];
    const found = [];
    let controlFound = null;
    const look = (value, path) => {
      if (typeof value === "string") {
        for (const needle of needles) if (value.includes(needle)) found.push(path);
        if (value === control) controlFound = path;
      } else if ((typeof value === "object" && value !== null) || typeof value === "function") {
        if (!seen.has(value)) {
          seen.add(value);
          queue.push([value, path]);
        }
      }
    };
    seen.add(globalThis);
    for (let i = 0; i < queue.length; i++) {
      const [object, path] = queue[i];
      let keys = [];
      try { keys = Reflect.ownKeys(object); } catch { /* revoked proxy */ }
      for (const key of keys) {
        const name = path + "." + String(key);
        if (typeof key === "string") look(key, name + "(key)");
        let descriptor;
        try { descriptor = Object.getOwnPropertyDescriptor(object, key); } catch { continue; }
        if (!descriptor) continue;
        if ("value" in descriptor) look(descriptor.value, name);
        else {
          look(descriptor.get, name + "(get)");
          look(descriptor.set, name + "(set)");
        }
      }
      try { look(Object.getPrototypeOf(object), path + ".[[Prototype]]"); } catch { /* proxy */ }
      try {
        if (object instanceof Map) for (const [k, v] of object) { look(k, path + "(map key)"); look(v, path + "(map value)"); }
        if (object instanceof Set) for (const v of object) look(v, path + "(set value)");
      } catch { /* a prototype object, not a real collection */ }
    }
    delete globalThis.__probeControl;
    return Response.json({ visited: queue.length, found, controlFound, env });
  },
};
