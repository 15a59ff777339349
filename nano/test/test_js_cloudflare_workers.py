"""
Tests for C{nano/isolate/js/81_cloudflare_workers.js}: the built-in
C{cloudflare:workers} module, in a real isolate serving the C{rt-entrypoint} app (a
default export extending C{WorkerEntrypoint}).
"""

import json
import os

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.modules import loadModuleGraph
from nano.isolate.runtime import Isolate
from nano.test.isolatekit import APPS, pumpedFetch
from nano.testing import PumpedReactor


class CloudflareWorkersModuleTests(SynchronousTestCase):
    """
    An app imports WorkerEntrypoint, DurableObject, RpcTarget, env and waitUntil from
    cloudflare:workers, as on Cloudflare Workers.
    """

    def setUp(self):
        self.reactor = PumpedReactor()
        self.isolate = Isolate(self.reactor, "rt-entrypoint")
        self.addCleanup(self.isolate.close)
        box = []
        self.isolate.load(loadModuleGraph(os.path.join(APPS, "rt-entrypoint")),
                          json.dumps({"GREETING": "hello"})).addBoth(box.append)
        self.reactor.pump(lambda: box)
        self.assertIsNone(box[0])

    def fetch(self, path, advance=0.0):
        return pumpedFetch(self.reactor, self.isolate, "GET", "http://a.test" + path, ["host", "a.test"],
                           advance=advance)

    def test_entrypoint(self):
        """
        A default export extending WorkerEntrypoint is made per request with (ctx, env):
        this.env and this.ctx are the handler's env and ctx; env imported at module
        scope is the app's env already while the module evaluates; waitUntil outside a
        request is a TypeError.
        """
        self.assertEqual(json.loads(self.fetch("/env").body), {
            "atLoad": "hello", "thisEnv": "hello", "argument": True, "ctx": True, "isEntrypoint": True,
            "outside": "TypeError"})

    def test_names(self):
        """
        The module offers the entrypoint classes, env and waitUntil, and import() of it
        gives the same namespace.
        """
        self.assertEqual(json.loads(self.fetch("/names").body),
                         ["DurableObject", "RpcTarget", "WorkerEntrypoint", "WorkflowEntrypoint", "env", "waitUntil"])
        self.assertEqual(json.loads(self.fetch("/dynamic").body), [True, "hello"])

    def test_waitUntil(self):
        """
        waitUntil from the module adds the promise to the running request's
        ctx.waitUntil work: the isolate reports the request's work pending after the
        response, and settled once the promise has run.
        """
        self.assertEqual(self.fetch("/wait").body, b"waiting")
        self.assertEqual(len(self.isolate.pendingWork()), 1)
        self.assertEqual(json.loads(self.fetch("/state").body), [])
        self.reactor.advance(0.1)
        self.assertEqual(json.loads(self.fetch("/state").body), ["done"])
        self.assertEqual(self.isolate.pendingWork(), [])

    def test_constructorNeedsContext(self):
        """
        Constructing an entrypoint without a ctx object is a TypeError, as on workerd.
        """
        self.assertEqual(self.fetch("/construct").body, b"TypeError")
