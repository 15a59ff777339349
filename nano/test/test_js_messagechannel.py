"""
Tests for C{nano/isolate/js/42_message_channel.js}: C{MessageChannel}, C{MessagePort}
and C{MessageEvent}, and the MessagePort transfers of C{structuredClone}.

Each test loads the core, DOMException, events, abort, timers and tasks, structuredClone,
the message channel file and console into a fresh isolate whose host timers the test
fires itself (L{TaskIsolate}), so every delivery task runs when the test lets it.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.test.jstasks import TaskIsolate

_FILES = ("00_", "01_", "10_", "11_", "12_", "40_", "41_", "42_message", "44_")

_HELPERS = """
globalThis.log = [];
globalThis.errorName = (fn) => {
  try { fn(); } catch (e) { return e.name + (e instanceof DOMException ? ":dom" : ""); }
  return "no error";
};
"""


class _ChannelTestCase(SynchronousTestCase):
    """
    Base class: C{self.iso} is a fresh isolate with the helpers of C{_HELPERS}.
    """

    def setUp(self):
        self.iso = TaskIsolate(_FILES)
        self.addCleanup(self.iso.close)
        self.iso.eval(_HELPERS)


class InterfaceTests(_ChannelTestCase):
    """
    The WebIDL shape of MessageChannel, MessagePort and MessageEvent.
    """

    def test_channelAndPorts(self):
        """
        A MessageChannel has two distinct MessagePorts (EventTargets with the message,
        messageerror and close handler attributes), returned the same on every get;
        MessagePort cannot be constructed; members check their receiver.
        """
        self.assertEqual(self.iso.json("""(() => {
          const c = new MessageChannel();
          const p = MessagePort.prototype;
          return [MessageChannel.length, c.port1 instanceof MessagePort, c.port1 !== c.port2,
                  c.port1 === c.port1, c.port1 instanceof EventTarget, String(c), String(c.port1),
                  ["onmessage", "onmessageerror", "onclose"].map((k) => k in p && c.port1[k] === null),
                  errorName(() => new MessagePort()), errorName(() => MessageChannel()),
                  errorName(() => p.start.call({})), errorName(() => p.postMessage.call(c, 1)),
                  errorName(() => Object.getOwnPropertyDescriptor(MessageChannel.prototype,
                    "port1").get.call({})),
                  errorName(() => c.port1.postMessage()),
                  Object.keys(p).sort()];
        })()"""),
            [0, True, True, True, True, "[object MessageChannel]", "[object MessagePort]",
             [True] * 3, "TypeError", "TypeError", "TypeError", "TypeError", "TypeError",
             "TypeError", ["close", "onclose", "onmessage", "onmessageerror", "postMessage",
                           "start"]])

    def test_messageEventDefaults(self):
        """
        A MessageEvent defaults to null data, empty origin and lastEventId, a null
        source and an empty frozen ports array that is the same object on every get.
        """
        self.assertEqual(self.iso.json("""(() => {
          const e = new MessageEvent("message");
          return [e.data, e.origin, e.lastEventId, e.source, e.ports, Object.isFrozen(e.ports),
                  e.ports === e.ports, e instanceof Event, e.bubbles, MessageEvent.length,
                  String(e), errorName(() => new MessageEvent())];
        })()"""),
            [None, "", "", None, [], True, True, True, False, 1, "[object MessageEvent]",
             "TypeError"])

    def test_messageEventInit(self):
        """
        The init dictionary sets data, origin (as a USVString), lastEventId, source (a
        MessagePort or null) and ports (MessagePorts only, frozen); anything else there
        is a TypeError.
        """
        self.assertEqual(self.iso.json("""(() => {
          const {port1, port2} = new MessageChannel();
          const data = {x: 1};
          const e = new MessageEvent("m", {data, origin: "o\\ud800", lastEventId: 5, source: port1,
                                           ports: [port2, port1], bubbles: true});
          return [e.data === data, e.origin, e.lastEventId, e.source === port1,
                  e.ports.length, e.ports[0] === port2, Object.isFrozen(e.ports), e.bubbles,
                  errorName(() => new MessageEvent("m", {source: {}})),
                  errorName(() => new MessageEvent("m", {ports: [{}]})),
                  errorName(() => new MessageEvent("m", {ports: null})),
                  errorName(() => new MessageEvent("m", 5))];
        })()"""),
            [True, "o\ufffd", "5", True, 2, True, True, True, "TypeError", "TypeError",
             "TypeError", "TypeError"])

    def test_initMessageEvent(self):
        """
        initMessageEvent re-initialises an event that is not being dispatched.
        """
        self.assertEqual(self.iso.json("""(() => {
          const {port1} = new MessageChannel();
          const e = new MessageEvent("a");
          e.initMessageEvent("b", true, true, 7, "origin", "id", port1, [port1]);
          return [e.type, e.bubbles, e.cancelable, e.data, e.origin, e.lastEventId,
                  e.source === port1, e.ports[0] === port1,
                  errorName(() => e.initMessageEvent("c", false, false, 1, "", "", 3))];
        })()"""), ["b", True, True, 7, "origin", "id", True, True, "TypeError"])


class DeliveryTests(_ChannelTestCase):
    """
    Posting, the port message queue, start() and the message events.
    """

    def test_onmessageStartsAndDeliversInOrder(self):
        """
        Setting onmessage starts the port: messages arrive later, in order, one per
        task, as trusted MessageEvents at the other port with an empty origin and
        lastEventId, a null source and no ports.
        """
        self.iso.eval("""
          const {port1, port2} = new MessageChannel();
          port2.onmessage = (e) => {
            log.push([e.data, e.origin, e.lastEventId, e.source, e.ports.length, e.isTrusted,
                      e.target === port2, e instanceof MessageEvent]);
            queueMicrotask(() => log.push("micro " + e.data));
          };
          port1.postMessage("one");
          port1.postMessage("two");
          log.push("sync");
        """)
        self.assertEqual(self.iso.json("log"), ["sync"])
        self.assertTrue(self.iso.fireNext())
        fields = ["", "", None, 0, True, True, True]
        self.assertEqual(self.iso.json("log"), ["sync", ["one"] + fields, "micro one"])
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log.slice(3)"), [["two"] + fields, "micro two"])

    def test_listenerNeedsStart(self):
        """
        addEventListener("message") does not start the port: messages wait in its
        queue until start(), then arrive in order; start() twice is harmless.
        """
        self.iso.eval("""
          globalThis.c = new MessageChannel();
          c.port2.addEventListener("message", (e) => log.push(e.data));
          c.port1.postMessage(1);
          c.port1.postMessage(2);
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), [])
        self.iso.eval("c.port2.start(); c.port2.start(); c.port1.postMessage(3);")
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), [1, 2, 3])

    def test_bothDirections(self):
        """
        The channel works both ways.
        """
        self.iso.eval("""
          const {port1, port2} = new MessageChannel();
          port1.onmessage = (e) => log.push("port1 got " + e.data);
          port2.onmessage = (e) => { log.push("port2 got " + e.data); port2.postMessage("pong"); };
          port1.postMessage("ping");
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), ["port2 got ping", "port1 got pong"])

    def test_orderAcrossPorts(self):
        """
        Messages of all ports are delivered oldest first: a port started late delivers
        the messages it received before those posted since to other ports.
        """
        self.iso.eval("""
          const a = new MessageChannel(), b = new MessageChannel();
          a.port2.addEventListener("message", (e) => log.push(e.data));
          b.port2.onmessage = (e) => log.push(e.data);
          a.port1.postMessage("a1");
          b.port1.postMessage("b1");
          a.port1.postMessage("a2");
          a.port2.start();
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), ["a1", "b1", "a2"])

    def test_dataIsCloned(self):
        """
        The data is a structured clone taken when posting: later changes are not seen,
        and an uncloneable message throws a DataCloneError and sends nothing.
        """
        self.iso.eval("""
          const {port1, port2} = new MessageChannel();
          port2.onmessage = (e) => log.push([e.data.list, e.data.map.get("k"), e.data.self === e.data]);
          const data = {list: [1, 2], map: new Map([["k", "v"]])};
          data.self = data;
          port1.postMessage(data);
          data.list.push(3);
          log.push(errorName(() => port1.postMessage({f() {}})));
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), ["DataCloneError:dom", [[1, 2], "v", True]])

    def test_handlerErrorIsReported(self):
        """
        A throwing onmessage is reported as uncaught; later messages still arrive.
        """
        self.iso.eval("""
          const {port1, port2} = new MessageChannel();
          port2.onmessage = (e) => {
            log.push(e.data);
            if (e.data === 1) throw new Error("bad message");
          };
          port1.postMessage(1);
          port1.postMessage(2);
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), [1, 2])
        self.assertEqual(len(self.iso.errors()), 1)
        self.assertIn("bad message", self.iso.errors()[0])

    def test_deliveredUnderThePostingRequest(self):
        """
        A message's event runs under the request that posted it.
        """
        self.iso.eval("""
          globalThis.c = new MessageChannel();
          c.port2.onmessage = (e) => console.log("got", e.data);
        """)
        self.iso.runAs(4, 'c.port1.postMessage("x");')
        self.iso.runTasks()
        self.assertEqual([m for m in self.iso.messages if m[0] == "log"], [["log", "info", "got x", 4]])


class TransferTests(_ChannelTestCase):
    """
    Transfer lists: ArrayBuffers and MessagePorts.
    """

    def test_transferArrayBuffer(self):
        """
        An ArrayBuffer in the transfer list (either argument form) is detached and its
        bytes arrive in the message.
        """
        self.iso.eval("""
          const {port1, port2} = new MessageChannel();
          port2.onmessage = (e) => log.push(Array.from(new Uint8Array(e.data)));
          const a = new Uint8Array([1, 2]).buffer, b = new Uint8Array([3]).buffer;
          port1.postMessage(a, [a]);
          port1.postMessage(b, {transfer: [b]});
          log.push([a.byteLength, b.byteLength, a.detached]);
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), [[0, 0, True], [1, 2], [3]])

    def test_transferPorts(self):
        """
        Transferred ports arrive in event.ports (in transfer-list order, frozen) as new
        ports entangled with the originals' partners; the originals are detached.
        """
        self.iso.eval("""
          const main = new MessageChannel(), x = new MessageChannel(), y = new MessageChannel();
          main.port2.onmessage = (e) => {
            log.push([e.ports.length, Object.isFrozen(e.ports), e.ports[0] !== y.port1,
                      e.data.p === e.ports[1]]);
            e.ports[0].onmessage = (m) => log.push("via y: " + m.data);
            e.ports[1].postMessage("to x.port2");
            y.port2.postMessage("to y.port1's successor");
          };
          x.port2.onmessage = (m) => log.push("x.port2 got: " + m.data);
          main.port1.postMessage({p: x.port1}, [y.port1, x.port1]);
          log.push(errorName(() => main.port1.postMessage(null, [x.port1])));
          y.port1.onmessage = () => log.push("the detached original got a message");
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), [
            "DataCloneError:dom", [2, True, True, True], "x.port2 got: to x.port2",
            "via y: to y.port1's successor"])

    def test_queuedMessagesMoveWithThePort(self):
        """
        Messages waiting in a transferred port's queue move to the new port and wait
        for it to be started.
        """
        self.iso.eval("""
          const main = new MessageChannel(), x = new MessageChannel();
          x.port1.postMessage("early");
          main.port2.onmessage = (e) => { globalThis.moved = e.ports[0]; log.push("ported"); };
          main.port1.postMessage(null, [x.port2]);
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), ["ported"])
        self.iso.eval('moved.onmessage = (e) => log.push("moved got " + e.data);')
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), ["ported", "moved got early"])

    def test_transferErrors(self):
        """
        Transferring the sending port itself, an object twice, or an object that is not
        transferable is a DataCloneError; a second argument that is neither a sequence
        nor a dictionary is a TypeError; nothing is sent or detached then.
        """
        self.assertEqual(self.iso.json("""(() => {
          const {port1, port2} = new MessageChannel();
          port2.onmessage = () => log.push("delivered");
          const buf = new ArrayBuffer(4);
          return [errorName(() => port1.postMessage(1, [port1])),
                  errorName(() => port1.postMessage(1, [buf, buf])),
                  errorName(() => port1.postMessage(1, [{}])),
                  errorName(() => port1.postMessage(buf, [buf, {}])),
                  errorName(() => port1.postMessage(1, "abc")),
                  errorName(() => port1.postMessage(1, [1])),
                  errorName(() => port1.postMessage(1, {transfer: 5})),
                  buf.byteLength];
        })()"""),
            ["DataCloneError:dom", "DataCloneError:dom", "DataCloneError:dom",
             "DataCloneError:dom", "TypeError", "TypeError", "TypeError", 4])
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), [])

    def test_targetPortInTransferIsDoomed(self):
        """
        Transferring the target port posts nothing (the channel is lost) but is no error.
        """
        self.iso.eval("""
          const {port1, port2} = new MessageChannel();
          port2.onmessage = () => log.push("delivered");
          port1.postMessage("lost", [port2]);
          port1.postMessage("also lost");
          log.push("posted");
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), ["posted"])

    def test_structuredCloneTransfersPorts(self):
        """
        structuredClone() transfers a listed MessagePort (the copy is entangled with its
        partner; the original cannot be transferred again), refuses an unlisted one,
        and refuses a MessageChannel.
        """
        self.iso.eval("""
          const {port1, port2} = new MessageChannel();
          const copy = structuredClone({port: port2}, {transfer: [port2]}).port;
          copy.onmessage = (e) => log.push(e.data);
          port1.postMessage("ohai");
          log.push([copy instanceof MessagePort, copy !== port2,
                    errorName(() => structuredClone(port2, {transfer: [port2]})),
                    errorName(() => structuredClone(port1)),
                    errorName(() => structuredClone(new MessageChannel()))]);
        """)
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), [
            [True, True, "DataCloneError:dom", "DataCloneError:dom", "DataCloneError:dom"], "ohai"])


class CloseTests(_ChannelTestCase):
    """
    close() and the close event.
    """

    def test_closeFiresCloseAtTheOtherPort(self):
        """
        close() disentangles the ports: the other port gets a close event from a later
        task, after the messages already queued for it, even when not started; later
        messages in either direction are dropped.
        """
        self.iso.eval("""
          const {port1, port2} = new MessageChannel();
          port2.onmessage = (e) => log.push("message " + e.data);
          port2.onclose = (e) => log.push(["close", e.isTrusted, e.target === port2]);
          port1.onclose = () => log.push("port1 closed too?");
          port1.onmessage = () => log.push("port1 got a message");
          port1.postMessage("before");
          port1.close();
          log.push("closed");
          port1.postMessage("after");
          port2.postMessage("back");
        """)
        self.assertEqual(self.iso.json("log"), ["closed"])
        self.iso.runTasks()
        self.assertEqual(self.iso.json("log"), ["closed", "message before", ["close", True, True]])

    def test_closedPortCannotBeTransferred(self):
        """
        A closed port is detached: transferring it is a DataCloneError; closing twice is
        harmless.
        """
        self.assertEqual(self.iso.json("""(() => {
          const a = new MessageChannel(), b = new MessageChannel();
          a.port1.close();
          a.port1.close();
          return errorName(() => b.port1.postMessage(null, [a.port1]));
        })()"""), "DataCloneError:dom")
