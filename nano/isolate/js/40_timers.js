// setTimeout, setInterval, clearTimeout, clearInterval: the HTML timer initialization
// steps, driven by the host reactor.
// Spec: https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#timers
// Host operations: sends ["timer_set", id, delayMs, count] and ["timer_clear", id];
// receives ["timer", id].
//
// Design: JS keeps every pending timer in one queue ordered by (deadline, creation) and
// keeps exactly one host timer armed: the one for the head of the queue. When it fires,
// the host sends `count` "timer" messages for it, each in a task of its own (count is
// how many queued timers share the head's deadline, at most BURST), and each message
// runs one due callback (so microtasks run between callbacks, as after each task). The
// host is re-armed for the new head when the last message of a burst arrives, or at
// once if the head is no longer due by the burst's deadline (the burst's remaining
// messages are then ignored as stale). Without bursts every due timer cost a full
// round trip through the reactor (10,000 timers due at once took 2.5 s). A timer never
// runs before another timer with an earlier deadline. Deadlines come from Date.now() (millisecond resolution); when
// the host fires a timer early, time is taken to be that timer's deadline, so timers
// created from a callback are ordered after it ("virtual now" never goes backwards).
//
// Internals shared on `nano`:
//   nano.runAfterTimeout(ms, fn) -> handle   run fn() once after ms (not a user timer id)
//   nano.cancelTimeout(handle)
//   nano.queueTask(fn) -> task   HTML's "queue a task": fn() runs in a later task, in
//                                the order queued, one task per host turn (so microtasks
//                                run between tasks), under the request current when it
//                                was queued; a throw is reported. Used by FileReader and
//                                MessagePort.
//   nano.cancelTask(task)        remove a queued task (no-op once it ran).

const ReflectApply = Reflect.apply;
const MapCtor = Map;
const DateNow = Date.now;
const MathMax = Math.max;
const NumberCtor = Number;
const StringCtor = String;
const TypeErrorCtor = TypeError;
const IndirectEval = globalThis.eval;
const ArrayPrototypeSplice = Array.prototype.splice;

const SafeMap = nano.safeCollection(Map);

let nextId = 1;
let nextSeq = 1;
const queue = [];            // pending entries sorted by (deadline, seq)
const active = new SafeMap(); // user-visible id -> entry
let armed = null;            // {id, deadline, remaining, firing} of the armed host timer
const BURST = 64;            // most "timer" messages asked for one host timer
let running = false;         // inside a timer callback: re-arm once at the end
let virtualNow = 0;          // deadline of the timer being run (never goes backwards)
let currentNesting = 0;      // nesting level of the running timer task, 0 outside

function now() {
  const real = DateNow();
  return real > virtualNow ? real : virtualNow;
}

function insert(entry) {
  let lo = 0, hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = queue[mid];
    if (other.deadline < entry.deadline ||
        (other.deadline === entry.deadline && other.seq < entry.seq)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  ReflectApply(ArrayPrototypeSplice, queue, [lo, 0, entry]);
  entry.queued = true;
}

function unqueue(entry) {
  if (!entry.queued) return;
  entry.queued = false;
  for (let i = 0; i < queue.length; i++) {
    if (queue[i] === entry) {
      ReflectApply(ArrayPrototypeSplice, queue, [i, 1]);
      return;
    }
  }
}

function syncHost() {
  if (running) return;
  const head = queue.length > 0 ? queue[0] : null;
  if (head === null) {
    if (armed !== null) {
      nano.send(["timer_clear", armed.id]);
      armed = null;
    }
    return;
  }
  if (armed !== null) {
    if (armed.firing) {
      if (head.deadline <= armed.deadline) return; // the burst runs it
    } else if (armed.id === head.hostId && armed.deadline === head.deadline) {
      return;
    }
    nano.send(["timer_clear", armed.id]);
  }
  let count = 1;
  while (count < BURST && count < queue.length && queue[count].deadline <= head.deadline) count++;
  armed = { id: head.hostId, deadline: head.deadline, remaining: count, firing: false };
  const delay = head.deadline - DateNow();
  nano.send(["timer_set", head.hostId, delay > 0 ? delay : 0, count]);
}

function onHostTimer(id) {
  if (armed === null || armed.id !== id) return; // stale: cleared or re-armed since
  const deadline = armed.deadline;
  armed.firing = true;
  armed.remaining--;
  if (armed.remaining <= 0) armed = null;
  if (queue.length === 0 || queue[0].deadline > deadline) {
    syncHost();
    return;
  }
  const entry = queue[0];
  ReflectApply(ArrayPrototypeSplice, queue, [0, 1]);
  entry.queued = false;
  if (entry.deadline > virtualNow) virtualNow = entry.deadline;
  running = true;
  try {
    runEntry(entry);
  } finally {
    running = false;
    syncHost();
  }
}

function clampTimeout(timeout, nesting) {
  if (timeout < 0) timeout = 0;
  if (nesting > 5 && timeout < 4) timeout = 4;
  return timeout;
}

function runEntry(entry) {
  if (entry.internal) {
    try {
      entry.handler();
    } catch (e) {
      nano.reportException(e);
    }
    return;
  }
  const savedNesting = currentNesting;
  currentNesting = entry.nesting;
  try {
    nano.withRequest(entry.requestId, () => {
      try {
        const handler = entry.handler;
        if (typeof handler === "function") {
          ReflectApply(handler, globalThis, entry.args);
        } else {
          IndirectEval(handler);
        }
      } catch (e) {
        nano.reportException(e);
      }
    });
  } finally {
    currentNesting = savedNesting;
  }
  if (entry.repeat && active.get(entry.id) === entry) {
    // Re-run the timer initialization steps with the same id.
    entry.nesting = entry.nesting + 1;
    entry.deadline = now() + clampTimeout(entry.timeout, entry.nesting - 1);
    entry.seq = nextSeq++;
    insert(entry);
  } else if (active.get(entry.id) === entry) {
    active.delete(entry.id);
  }
}

// WebIDL `long` conversion.
function toLong(value) {
  const x = NumberCtor(value);
  if (x !== x || x === Infinity || x === -Infinity) return 0;
  return (x < 0 ? -Math.floor(-x) : Math.floor(x)) | 0;
}

function convertHandler(handler) {
  if (typeof handler === "function") return handler;
  if (typeof handler === "symbol") throw new TypeErrorCtor("Cannot convert a Symbol value to a string");
  return StringCtor(handler);
}

function initializeTimer(handler, timeout, args, repeat) {
  handler = convertHandler(handler);
  timeout = toLong(timeout);
  const id = nextId++;
  const nesting = currentNesting;
  const entry = {
    id, hostId: id, handler, args, repeat, timeout,
    nesting: nesting + 1,
    deadline: now() + clampTimeout(timeout, nesting),
    seq: nextSeq++,
    requestId: nano.currentRequestId(),
    internal: false, queued: false,
  };
  active.set(id, entry);
  insert(entry);
  syncHost();
  return id;
}

function collectArgs(argumentsObject) {
  const args = [];
  for (let i = 2; i < argumentsObject.length; i++) args[args.length] = argumentsObject[i];
  return args;
}

function setTimeout(handler, timeout = 0) {
  if (arguments.length < 1) {
    throw new TypeErrorCtor("setTimeout: 1 argument required, but only 0 present");
  }
  return initializeTimer(handler, timeout, collectArgs(arguments), false);
}

function setInterval(handler, timeout = 0) {
  if (arguments.length < 1) {
    throw new TypeErrorCtor("setInterval: 1 argument required, but only 0 present");
  }
  return initializeTimer(handler, timeout, collectArgs(arguments), true);
}

function clearTimer(id) {
  id = toLong(id);
  const entry = active.get(id);
  if (entry === undefined) return;
  active.delete(id);
  unqueue(entry);
  syncHost();
}

function clearTimeout(id = 0) {
  clearTimer(id);
}

function clearInterval(id = 0) {
  clearTimer(id);
}

nano.runAfterTimeout = function runAfterTimeout(ms, fn) {
  const id = nextId++;
  const entry = {
    id, hostId: id, handler: fn, args: null, repeat: false, timeout: ms, nesting: 0,
    deadline: now() + (ms > 0 ? ms : 0), seq: nextSeq++, requestId: null,
    internal: true, queued: false,
  };
  insert(entry);
  syncHost();
  return entry;
};

nano.cancelTimeout = function cancelTimeout(handle) {
  if (handle === null || typeof handle !== "object") return;
  unqueue(handle);
  syncHost();
};

// ---- tasks ---------------------------------------------------------------------------
// One FIFO for every task other prelude files queue. At most one internal timer entry
// (a zero-delay one) stands for the queue in the timer queue at a time, and each of its
// host turns runs one task, so the tasks keep their order whatever the clock does.
const tasks = [];
let taskHead = 0;
let taskTimer = null;

function armTasks() {
  if (taskTimer === null && taskHead < tasks.length) taskTimer = nano.runAfterTimeout(0, runTask);
}

function runTask() {
  taskTimer = null;
  let task = null;
  while (task === null && taskHead < tasks.length) {
    const next = tasks[taskHead];
    tasks[taskHead] = undefined;
    taskHead++;
    if (!next.cancelled) task = next;
  }
  if (taskHead === tasks.length) {
    tasks.length = 0;
    taskHead = 0;
  } else if (taskHead >= 1024 && taskHead * 2 >= tasks.length) {
    ReflectApply(ArrayPrototypeSplice, tasks, [0, taskHead]);
    taskHead = 0;
  }
  armTasks();
  if (task === null) return;
  task.cancelled = true;
  nano.withRequest(task.requestId, () => {
    try {
      task.fn();
    } catch (e) {
      nano.reportException(e);
    }
  });
}

nano.queueTask = function queueTask(fn) {
  const task = { fn, requestId: nano.currentRequestId(), cancelled: false };
  tasks[tasks.length] = task;
  armTasks();
  return task;
};

nano.cancelTask = function cancelTask(task) {
  if (task !== null && typeof task === "object") task.cancelled = true;
};

nano.onMessage("timer", onHostTimer);

// mini-racer pre-installs setTimeout/clearTimeout as non-configurable (but writable)
// globals, which defineGlobal cannot redefine: replace their values instead.
function installGlobal(name, value) {
  const desc = Object.getOwnPropertyDescriptor(globalThis, name);
  if (desc !== undefined && !desc.configurable && desc.writable) {
    globalThis[name] = value;
  } else {
    nano.defineGlobal(name, value);
  }
}

installGlobal("setTimeout", setTimeout);
installGlobal("setInterval", setInterval);
installGlobal("clearTimeout", clearTimeout);
installGlobal("clearInterval", clearInterval);
