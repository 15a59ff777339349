"""
NANO without its CPU/memory watchdog and without metrics, for bench/overhead.py (the
measure of what they cost). Not a way to run NANO: an app that runs away is never
reset here.

    NANO_APP=bench/apps/hello NANO_PORT=8083 twistd -n -y bench/nano_uninstrumented.py
"""

import os

import attrs
from twisted.application import service
from twisted.internet import reactor

from nano.config import singleAppConfig
from nano.metrics import AppStats, Metrics
from nano.service import NanoService


class _Idle:
    """
    A watchdog that watches nothing.
    """

    resets = {}

    def watch(self, isolate):
        pass

    def watching(self, isolate):
        return False

    def stop(self):
        pass


class _Uncounted(AppStats):
    """
    Stats that count nothing.
    """

    def requestStarted(self):
        pass

    def requestFinished(self, status, seconds):
        pass


class _NoMetrics(Metrics):
    def app(self, name):
        return _Uncounted()


config = attrs.evolve(
    singleAppConfig(os.environ["NANO_APP"], listen=("tcp:%s:interface=127.0.0.1" % (os.environ["NANO_PORT"],),)),
    admin=None)
nano = NanoService(config, reactor, accessLog=False, watchdog=_Idle(), metrics=_NoMetrics())
application = service.Application("nano-uninstrumented")
nano.setServiceParent(application)
