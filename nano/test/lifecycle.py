"""
Fixtures shared by the lifecycle tests (deploy, admin, service): a temporary
config directory with app directories, a config file written from a dict, and an
isolate fake whose loads can be held back or made to fail.
"""

import json
import os

from twisted.internet.defer import Deferred, fail, succeed

from nano.app import App
from nano.config import loadConfig
from nano.isolate.runtime import LoadError
from nano.testing import FakeIsolate

__all__ = ["ControlledIsolate", "Fixture"]


class ControlledIsolate(FakeIsolate):
    """
    A L{FakeIsolate} whose load fails with L{LoadError} when the app's source
    contains C{BROKEN}, and waits for the test when C{held} (a class-level list
    the test sets) is not None: each load then appends a Deferred to it.

    @cvar instances: every isolate created (in order).
    """

    held = None
    instances = []

    def __init__(self, *args, **kwargs):
        FakeIsolate.__init__(self, *args, **kwargs)
        ControlledIsolate.instances.append(self)
        self.work = []

    def load(self, graph, envJSON, memoryLimit=None):
        self.graph = graph
        self.envJSON = envJSON
        if any("BROKEN" in source for _, source in graph.modules):
            return fail(LoadError("index.js:1:1: SyntaxError: BROKEN on purpose"))
        if ControlledIsolate.held is not None:
            d = Deferred()
            ControlledIsolate.held.append(d)
            return d
        return succeed(None)

    def pendingWork(self):
        return [d for d in self.work if not d.called]


class Fixture:
    """
    A config directory under C{base}: C{app(name, source)} makes an app
    directory, C{write(document)} writes config.json.
    """

    def __init__(self, base):
        self.base = os.path.abspath(base)
        os.makedirs(self.base, exist_ok=True)
        self.path = os.path.join(self.base, "config.json")
        ControlledIsolate.held = None
        ControlledIsolate.instances = []

    def app(self, name, source="export default { fetch() { return new Response('v1'); } };\n"):
        directory = os.path.join(self.base, name)
        os.makedirs(directory, exist_ok=True)
        entry = os.path.join(directory, "index.js")
        with open(entry, "w") as f:
            f.write(source)
        info = os.stat(entry)
        # A new modification time even within one tick of a coarse clock.
        os.utime(entry, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
        return directory

    def write(self, document):
        with open(self.path, "w") as f:
            if isinstance(document, str):
                f.write(document)
            else:
                json.dump(document, f, indent=2)
        return self.path

    def read(self):
        with open(self.path) as f:
            return json.load(f)

    def load(self, environ=None):
        return loadConfig(self.path, environ or {})

    def factory(self, clock):
        """
        An app factory for L{nano.deploy.Deployer} building apps on
        L{ControlledIsolate}s.
        """
        return lambda appConfig, config: App(clock, appConfig, isolateFactory=ControlledIsolate)
