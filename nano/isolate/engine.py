"""
The only module that touches mini-racer (pinned to 0.14.1, whose private C API it uses).

One L{V8Context} is one V8 isolate with its own message-pump thread. Everything here
is asynchronous from the reactor's point of view: L{V8Context.eval} and
L{V8Context.call} post a task to the pump thread and return a L{Deferred} that fires
on the reactor thread. The C library calls back on the pump thread; that callback copies
the result out of V8 memory at once (strings and bytes), frees the value handle, and
hands the result to the reactor with one C{callFromThread}.

The doorbell: JS calls a callback function when it has queued messages for Python.
The pump thread answers it by posting the C{drain} call itself (no reactor round trip),
and the drained text reaches the reactor with one C{callFromThread} per batch. This is
arrangement (c) of research/bridge-prototype.md.

The only synchronous crossings (L{V8Context.getItem}, L{V8Context.makeCallback}) are
for setup, when the isolate is known to be idle; L{V8Context.collectGarbage} makes
one from a thread of its own, for a context nobody else uses yet.
"""

import ctypes
import itertools
import os
import threading
import time

from twisted.internet.defer import Deferred
from twisted.logger import Logger

from py_mini_racer._dll import MR_CALLBACK, init_mini_racer

from nano.isolate.v8values import (
    _T_ARRAY_BUFFER,
    _T_STR,
    _T_UNDEFINED,
    Handle,
    IsolateClosed,
    JSError,
    JSOutOfMemory,
    JSParseError,
    JSTerminated,
    SharedMemory,
    convert,
)

__all__ = [
    "JSError",
    "JSParseError",
    "JSTerminated",
    "JSOutOfMemory",
    "IsolateClosed",
    "Handle",
    "SharedMemory",
    "V8Context",
    "startV8",
]

MINI_RACER_VERSION = "0.14.1"

# Callback ids 0 is mini-racer's "uncancelable" id; we never use it.
_DOORBELL_ID = 1
_DRAIN_ID = 2
_FIRST_TASK_ID = 3
# Fire-and-forget calls (L{V8Context.post}) use ids from here up: their success is
# never reported to the reactor.
_QUIET_BASE = 1 << 62

# --single-threaded: no V8 worker threads (GC and compilation run on each isolate's
# pump thread). --max-semi-space-size=1: a 1 MiB young generation. With V8's default
# (growing to 16 MiB) a scavenge on the pump thread took 8-27 ms under hello-world
# load, and every request in flight on that isolate waited for it: p99 was 14 ms
# against 2.7 ms for p90. With 1 MiB a scavenge takes about 0.8 ms, p99 fell to
# 3.4 ms and throughput rose 4% (BENCHMARKS.md); it also keeps idle isolates small.
# --expose-gc-as: V8's gc() for the runtime, to collect streamed chunks promptly;
# --expose-statistics: getV8Statistics(), for each isolate's heap and ArrayBuffer
# memory (00_core.js empties both global properties before any app code runs).
_V8_FLAGS = ("--single-threaded", "--max-semi-space-size=1", "--expose-gc-as=__nanoGC", "--expose-statistics")

# glibc gives each thread that allocates under contention an arena of its own (up
# to 8 per core), and every isolate's pump thread allocates (the parser's and the
# compiler's zones): memory freed in one arena is not reused by the others. Capped
# at 2 arenas, 1,000 bootstrapped isolates took 0.5 MiB less each (BENCHMARKS.md,
# "Density"). MALLOC_ARENA_MAX in the environment takes precedence.
_MALLOC_ARENAS = 2
_M_ARENA_MAX = -8


_dll = None

# Closed contexts whose C callback must stay callable: mini-racer can deliver a
# completion after mr_free_context returned (research/miniracer.md §Q10), and calling
# a freed ctypes thunk crashes the process. Entries leave after _KEEP_CALLBACK seconds.
_closedCallbacks = {}
_KEEP_CALLBACK = 60.0
# Every context not yet closed. The C library calls back into the context's ctypes
# thunk, so a context must not be garbage collected while it is open: a Deferred
# chain nobody kept (context -> pending Deferred -> callbacks -> context) is an
# unreachable cycle the cyclic GC frees, and the next completion then calls freed
# memory (seen: a segfault in libffi on a pump thread while an isolate bootstrapped).
_open = {}
# How long close() waits for tasks in flight to complete before freeing anyway.
_CLOSE_WAIT = 0.2


def startV8():
    """
    Initialise V8 for this process (once; later calls return the same library).

    Must not run before a C{fork()}: a forked child of a process that initialised V8
    hangs on its first V8 call (DESIGN.md, fork pitfall).
    """
    global _dll
    if _dll is None:
        _limitMallocArenas()
        _dll = init_mini_racer(flags=_V8_FLAGS, ignore_duplicate_init=True)
    return _dll


def _limitMallocArenas(environ=os.environ, libc=None):
    """
    Cap glibc's malloc arenas at C{_MALLOC_ARENAS} (before the first pump thread
    starts), unless C{MALLOC_ARENA_MAX} is set; nothing where malloc has no
    C{mallopt} (not glibc).

    @return: True when the cap was set.
    """
    if "MALLOC_ARENA_MAX" in environ:
        return False
    if libc is None:
        try:
            libc = ctypes.CDLL(None)
        except OSError:
            return False
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    return mallopt(_M_ARENA_MAX, _MALLOC_ARENAS) == 1


def _free(dll, ctx, idle, collected):
    """
    Free a closed context, once C{idle} is set (its tasks in flight completed) or
    C{_CLOSE_WAIT} seconds passed, when C{idle} is given, and once C{collected} is
    set (a L{V8Context.collectGarbage} in progress finished: freeing the context
    under that blocked library call would abort the process). Runs on a thread of
    its own (the GIL is released while it waits and while the library frees).
    """
    collected.wait()
    if idle is not None:
        idle.wait(_CLOSE_WAIT)
    dll.mr_free_context(ctx)


class V8Context:
    """
    One V8 isolate and its pump thread.

    @ivar closed: True once L{close} ran; every later operation fails with
        L{IsolateClosed}.
    @ivar cpuClock: the pump thread's CPU clock id (for C{time.clock_gettime}) once the
        first callback arrived, else None.
    """

    _log = Logger()

    def __init__(self, reactor, onDrain):
        """
        @param reactor: the reactor whose thread receives every completion.
        @param onDrain: called on the reactor thread with what each drain returned
            (the C{onDrain} attribute, which may be replaced later): a C{str} (the
            JSON of the queued messages) or a C{memoryview} of a binary frame in V8
            memory, valid only during the call.
        """
        self._reactor = reactor
        self.onDrain = onDrain
        self._dll = startV8()
        self._callback = MR_CALLBACK(self._fromV8)
        self._ctx = self._dll.mr_init_context(self._callback)
        _open[id(self)] = self
        self._ids = itertools.count(_FIRST_TASK_ID)
        self._quietIds = itertools.count(_QUIET_BASE)
        self._pending = {}
        self._posted = {}
        # Tasks posted and not yet completed (guarded by _lock): the context is freed
        # only once they completed (or after _CLOSE_WAIT seconds).
        self._inflight = 0
        self._idle = threading.Event()
        self.onPostError = None
        self._lock = threading.Lock()
        self._drainFn = None
        self._undefined = self._dll.mr_alloc_int_val(self._ctx, 0, _T_UNDEFINED)
        self._emptyArgs = None
        self._handles = []
        self.closed = False
        # Cleared while collectGarbage's thread is in the library.
        self._collected = threading.Event()
        self._collected.set()
        self.cpuClock = None
        # Times the pump thread came back to Python (completions and doorbells).
        self.boundaries = 0

    # -- pump thread ---------------------------------------------------------

    def _fromV8(self, callbackId, raw):
        """
        Runs on the V8 pump thread for every completion and doorbell. Copies the
        result, frees the handle and hands over to the reactor thread.

        The body runs under C{_lock}, which L{close} takes to set C{closed}: once the
        context is being freed no callback touches the library (a callback posting
        the drain into a context being freed could deadlock the pump thread).
        """
        with self._lock:
            if callbackId != _DOORBELL_ID:
                self._inflight -= 1
            if self.closed:
                if self._inflight <= 0:
                    self._idle.set()
                return
            self._fromV8Locked(callbackId, raw)

    def _fromV8Locked(self, callbackId, raw):
        self.boundaries += 1
        if self.cpuClock is None:
            try:
                self.cpuClock = time.pthread_getcpuclockid(threading.get_ident())
            except (AttributeError, OSError):
                self.cpuClock = -1
        dll = self._dll
        if callbackId == _DOORBELL_ID:
            dll.mr_free_value(self._ctx, raw)
            if self._drainFn is not None:
                self._inflight += 1
                dll.mr_call_function(
                    self._ctx, self._drainFn, self._undefined, self._emptyArgs, _DRAIN_ID
                )
            return
        if callbackId == _DRAIN_ID and raw.contents.type == _T_ARRAY_BUFFER:
            # A binary drain frame: hand the reactor the address, not a copy. The
            # value handle keeps the backing store alive until the reactor has read
            # what it needs (_deliverFrame frees it): copying here, under the GIL on
            # this thread, stalled the reactor (py-spy: 20-30% of its time waiting
            # for the GIL while this thread copied megabytes).
            contents = raw.contents
            self._reactor.callFromThread(self._deliverFrame, contents.value.value_ptr, contents.len, raw)
            return
        value = self._convert(raw)
        if callbackId >= _QUIET_BASE:
            self._posted.pop(callbackId, None)
            if isinstance(value, Exception) and self.onPostError is not None:
                self._reactor.callFromThread(self.onPostError, value)
            return
        if callbackId == _DRAIN_ID:
            if isinstance(value, (str, bytes)):
                self._reactor.callFromThread(self._deliverDrain, value)
            elif isinstance(value, Exception):
                self._reactor.callFromThread(self._drainFailed, value)
            return
        self._reactor.callFromThread(self._complete, callbackId, value)

    def _convert(self, raw):
        """
        Turn a raw value into a Python value (pump thread, L{convert}); free its
        handle unless it lives on as a L{Handle} or L{SharedMemory}.
        """
        keep = False
        try:
            value, keep = convert(raw)
            return value
        finally:
            if not keep:
                self._dll.mr_free_value(self._ctx, raw)

    # -- reactor thread ------------------------------------------------------

    def _complete(self, callbackId, value):
        entry = self._pending.pop(callbackId, None)
        if entry is None:
            if isinstance(value, Handle) and not self.closed:
                self._dll.mr_free_value(self._ctx, value.raw)
            return
        d, timer = entry[0], entry[2]
        if timer is not None and timer.active():
            timer.cancel()
        if isinstance(value, Exception):
            d.errback(value)
        else:
            d.callback(value)

    def _deliverDrain(self, value):
        self.onDrain(value)

    def _deliverFrame(self, address, length, raw):
        """
        Give C{onDrain} a memoryview of a drained frame still in V8 memory; it must
        copy what it keeps before returning (the view is released afterwards, and
        the memory freed).
        """
        view = memoryview((ctypes.c_char * length).from_address(address)).cast("B")
        try:
            self.onDrain(view)
        finally:
            view.release()
            if not self.closed:
                self._dll.mr_free_value(self._ctx, raw)
    def _drainFailed(self, error):
        self._log.error("isolate drain failed: {error}", error=str(error))

    def _start(self, method, args, timeout):
        if self.closed:
            raise IsolateClosed("the isolate is closed")
        callbackId = next(self._ids)
        d = Deferred()
        with self._lock:
            self._inflight += 1
        taskId = method(self._ctx, *args, callbackId)
        timer = None
        if timeout is not None:
            timer = self._reactor.callLater(timeout, self._cancel, callbackId)
        self._pending[callbackId] = (d, taskId, timer)
        return d

    def _cancel(self, callbackId):
        entry = self._pending.get(callbackId)
        if entry is not None and not self.closed:
            self._dll.mr_cancel_task(self._ctx, entry[1])

    def _string(self, text):
        data = text.encode("utf-8", "surrogatepass")
        return self._dll.mr_alloc_string_val(self._ctx, data, len(data), _T_STR)

    def eval(self, code, timeout=None):
        """
        Evaluate a classic script.

        @return: a Deferred firing with the completion value (str, int, float, bool,
            None, bytes or L{Handle}) or failing with L{JSError} (or a subclass).
        """
        handle = self._string(code)
        try:
            return self._start(self._dll.mr_eval, (handle,), timeout)
        finally:
            self._dll.mr_free_value(self._ctx, handle)

    def call(self, function, this=None, timeout=None):
        """
        Call C{function} (a L{Handle}) with no arguments and C{this} set to a string
        (or to a L{Handle}, or undefined for None). One asynchronous crossing.

        @param timeout: seconds after which the task is cancelled (V8 terminates it
            if it is still running; it then fails with L{JSTerminated}).
        """
        if self.closed:
            raise IsolateClosed("the isolate is closed")
        if self._emptyArgs is None:
            raise RuntimeError("V8Context.prepare() must complete before call()")
        if isinstance(this, str):
            thisHandle = self._string(this)
            try:
                return self._start(
                    self._dll.mr_call_function,
                    (function.raw, thisHandle, self._emptyArgs),
                    timeout,
                )
            finally:
                self._dll.mr_free_value(self._ctx, thisHandle)
        raw = self._undefined if this is None else this.raw
        return self._start(
            self._dll.mr_call_function, (function.raw, raw, self._emptyArgs), timeout
        )

    def post(self, function, this):
        """
        Call C{function} with C{this} set to a string (or to a L{Handle}), without
        waiting for it: one asynchronous crossing whose success is never reported
        back (no reactor wake-up). A failure is handed to C{onPostError} on the
        reactor thread.

        @return: the call's id, for L{completed}.
        """
        if self.closed:
            raise IsolateClosed("the isolate is closed")
        if self._emptyArgs is None:
            raise RuntimeError("V8Context.prepare() must complete before post()")
        callbackId = next(self._quietIds)
        entry = [None, time.monotonic()]
        self._posted[callbackId] = entry
        with self._lock:
            self._inflight += 1
        if isinstance(this, Handle):
            entry[0] = self._dll.mr_call_function(self._ctx, function.raw, this.raw, self._emptyArgs, callbackId)
            return
        thisHandle = self._string(this)
        try:
            entry[0] = self._dll.mr_call_function(
                self._ctx, function.raw, thisHandle, self._emptyArgs, callbackId
            )
        finally:
            self._dll.mr_free_value(self._ctx, thisHandle)
        return callbackId

    def completed(self, callbackId):
        """
        Whether the posted call C{callbackId} has finished (its task ran).
        """
        return callbackId not in self._posted

    def keep(self, memory):
        """
        Keep a L{SharedMemory}'s handle until the context closes.
        """
        self._handles.append(Handle(memory.raw))

    @staticmethod
    def write(memory, offset, data):
        """
        Copy C{data} into shared memory at C{offset} (the GIL is released during the
        copy).
        """
        ctypes.memmove(memory.address + offset, data, len(data))

    def oldestPostAge(self):
        """
        Seconds since the oldest posted call that has not completed was posted (0.0
        when none is pending). Posted calls run in order, so a large age means the
        isolate's thread is stuck in one call or in the promise jobs after it.
        """
        posted = self._posted
        if not posted:
            return 0.0
        return time.monotonic() - next(iter(posted.values()))[1]

    def getItem(self, obj, key):
        """
        Synchronously read C{obj[key]} (setup only: blocks until the isolate is idle).

        @return: a L{Handle} or a plain value.
        """
        keyHandle = self._string(key)
        try:
            raw = self._dll.mr_get_object_item(self._ctx, obj.raw, keyHandle)
        finally:
            self._dll.mr_free_value(self._ctx, keyHandle)
        value = self._convert(raw)
        if isinstance(value, Exception):
            raise value
        return value

    def prepare(self):
        """
        Create the empty JS array that serves as the argument list of every call.
        Must complete before the first L{call}.

        @return: a Deferred firing with None.
        """

        def keep(empty):
            self._emptyArgs = empty.raw
            self._handles.append(empty)

        return self.eval("[]").addCallback(keep)

    def installBridge(self, drain):
        """
        Remember the drain function: the pump thread calls it when the doorbell rings.
        """
        self._drainFn = drain.raw
        self._handles.append(drain)

    def makeDoorbell(self):
        """
        Create the JS function that rings the doorbell (setup only; synchronous).
        """
        return Handle(self._dll.mr_make_js_callback(self._ctx, _DOORBELL_ID))

    def setMemoryLimit(self, nbytes):
        """
        Set V8's hard heap limit for this isolate: past it, execution is terminated
        and the running task fails with L{JSOutOfMemory}.
        """
        if not self.closed:
            self._dll.mr_set_hard_memory_limit(self._ctx, nbytes)

    def memoryLimitReached(self):
        """
        True once the hard memory limit was hit.
        """
        return (not self.closed) and bool(self._dll.mr_hard_memory_limit_reached(self._ctx))

    def cpuTime(self):
        """
        CPU seconds used so far by this isolate's pump thread (0.0 before its first
        callback or where the platform has no per-thread clocks).
        """
        if self.cpuClock is None or self.cpuClock == -1 or self.closed:
            return 0.0
        try:
            return time.clock_gettime(self.cpuClock)
        except OSError:
            return 0.0

    def collectGarbage(self):
        """
        Run V8's low-memory collection on this isolate: a full collection that also
        shrinks the young generation and gives back free pages (after a bootstrap,
        about 0.4 MiB of garbage and spare pages, BENCHMARKS.md "Density").

        The library call blocks until the isolate's thread has run it (a few ms), so
        it is made from a thread of its own; and it must be the only thing the
        isolate runs: call this only on a context nothing else posts to yet (the
        pool's bootstrap does, before handing the isolate out). Closing the context
        meanwhile is safe: it is freed once the collection returned.

        @return: a Deferred firing with None on the reactor thread when done.
        """
        if self.closed:
            raise IsolateClosed("the isolate is closed")
        done = Deferred()
        self._collected.clear()

        def collect():
            try:
                self._dll.mr_low_memory_notification(self._ctx)
            finally:
                self._collected.set()
                self._reactor.callFromThread(done.callback, None)

        threading.Thread(target=collect, name="nano-isolate-gc").start()
        return done

    def free(self, handle):
        """
        Release a L{Handle}.
        """
        if not self.closed:
            self._dll.mr_free_value(self._ctx, handle.raw)

    def close(self):
        """
        Close the isolate: terminate whatever runs, fail every pending operation with
        L{IsolateClosed}, free the context (from a thread of its own, once what runs
        completed). Idempotent; does not block the calling thread.
        """
        if self.closed:
            return
        with self._lock:
            self.closed = True
            busy = self._inflight > 0
        pending, self._pending = self._pending, {}
        key = id(self)
        _closedCallbacks[key] = self._callback
        _open.pop(key, None)
        if busy:
            # Freeing a context while one of its tasks is in flight can crash
            # mini-racer (seen: a segfault in mr_free_context when a dispatch had
            # just been posted). Terminate what runs and wait for the completions;
            # a runaway microtask loop never completes: free anyway.
            for entry in list(self._posted.values()):
                if entry[0] is not None:
                    self._dll.mr_cancel_task(self._ctx, entry[0])
            for _d, taskId, _timer in pending.values():
                self._dll.mr_cancel_task(self._ctx, taskId)
        # The wait and the free run on a thread of their own. On the reactor thread
        # they stalled every app: the wait for _CLOSE_WAIT whenever a runaway with a
        # message queued behind it was reset, the free for as long as returning the
        # isolate's memory takes (150 ms for 640 MiB of ArrayBuffers; bench/faults.py).
        threading.Thread(
            target=_free, args=(self._dll, self._ctx, self._idle if busy else None, self._collected),
            name="nano-isolate-free",
        ).start()
        self._reactor.callLater(_KEEP_CALLBACK, _closedCallbacks.pop, key, None)
        for d, _taskId, timer in pending.values():
            if timer is not None and timer.active():
                timer.cancel()
            d.errback(IsolateClosed("the isolate was closed"))
