"""
NANO: many Cloudflare-Workers-style JavaScript apps in one Twisted process, each in
its own V8 isolate.
"""

__version__ = "0.1.0"
