"""
The documentation site (docs/) cannot drift from the code: its config reference is
checked against the parser, its CLI reference is what the code generates, and its
pages show code only from files the suite runs (examples/, the C{nano new}
template).
"""

import glob
import json
import os
import re
import shutil
import tempfile

import attrs
from twisted.trial.unittest import SynchronousTestCase

from nano.cli import reference
from nano.config import (
    AdminConfig, AppConfig, ConfigError, EgressConfig, Limits, NanoConfig, WatchConfig, parseConfig,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, "docs")
DATA = os.path.join(DOCS, "src", "data")
PAGES = os.path.join(DOCS, "src", "content", "docs")

# Each reference section: where its keys sit in a document, and its attrs class.
_SECTIONS = {
    "top": (lambda obj: obj, NanoConfig),
    "admin": (lambda obj: {"admin": obj}, AdminConfig),
    "limits": (lambda obj: {"defaults": obj}, Limits),
    "egress": (lambda obj: {"egress": obj}, EgressConfig),
    "watch": (lambda obj: {"watch": obj}, WatchConfig),
    "app": (lambda obj: {"apps": [dict({"name": "hello", "path": "hello"}, **obj)]}, AppConfig),
}
_ENV = {"NANO_ADMIN_TOKEN": "t", "API_DB_PASSWORD": "p"}


def _reference():
    with open(os.path.join(DATA, "config-reference.json")) as f:
        return {section["id"]: section for section in json.load(f)["sections"]}


class ConfigReferenceTests(SynchronousTestCase):
    """
    docs/src/data/config-reference.json describes exactly what
    L{nano.config.parseConfig} accepts.
    """

    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="nano-docs-")
        self.addCleanup(shutil.rmtree, self.directory, True)
        shutil.copytree(os.path.join(ROOT, "examples", "hello"), os.path.join(self.directory, "hello"))
        self.reference = _reference()

    def problems(self, section, obj):
        """
        The problem messages of a document with C{obj} placed in C{section}.
        """
        document = _SECTIONS[section][0](obj)
        document.setdefault("apps", [{"name": "hello", "path": "hello"}])
        try:
            parseConfig(json.dumps(document), os.path.join(self.directory, "config.json"), _ENV)
        except ConfigError as e:
            return [p.message for p in e.problems]
        return []

    def test_sections(self):
        """
        Every section of the parser is documented, and nothing else.
        """
        self.assertEqual(sorted(self.reference), sorted(_SECTIONS))

    def test_keys(self):
        """
        Each section documents every key the parser accepts there and no other
        (the parser lists them all for an unknown key).
        """
        for section in _SECTIONS:
            [message] = self.problems(section, {"\u00a7": 1})
            accepted = re.search(r"expected one of: (.*)\)$", message).group(1).split(", ")
            documented = [field["key"] for field in self.reference[section]["fields"]]
            self.assertEqual(sorted(documented), sorted(accepted),
                             "section %s: document the keys the code accepts" % (section,))

    def test_integers(self):
        """
        Integer ranges and nullability are those the parser enforces.
        """
        for section in _SECTIONS:
            for field in self.reference[section]["fields"]:
                if "range" not in field:
                    continue
                messages = self.problems(section, {field["key"]: "x"})
                low, high = field["range"]
                expected = "expected %san integer from %d to %d" % (
                    "null or " if field["nullable"] else "", low, high)
                self.assertTrue(any(m.startswith(expected) for m in messages),
                                "%s.%s: %r" % (section, field["key"], messages))

    def test_defaults(self):
        """
        Documented defaults are the defaults of the config values.
        """
        for section, (_, cls) in _SECTIONS.items():
            fields = attrs.fields_dict(cls)
            for field in self.reference[section]["fields"]:
                key = field["key"]
                if "default" not in field:
                    continue
                default = fields[key].default
                if isinstance(default, tuple):
                    default = list(default)
                self.assertEqual(field["default"], default, "%s.%s" % (section, key))

    def test_examples(self):
        """
        Every example value is accepted by the parser.
        """
        for section in _SECTIONS:
            for field in self.reference[section]["fields"]:
                self.assertEqual(self.problems(section, {field["key"]: field["example"]}), [],
                                 "%s.%s" % (section, field["key"]))

    def test_described(self):
        """
        Every field has a type, a description and a default (or says it is
        required or a shorthand).
        """
        for section in self.reference.values():
            for field in section["fields"]:
                self.assertTrue(field["type"] and field["description"], field["key"])
                self.assertTrue({"default", "defaultText", "required", "shorthand"} & set(field), field["key"])


class CliReferenceTests(SynchronousTestCase):
    """
    docs/src/data/cli.json is what L{nano.cli.reference} generates.
    """

    def test_current(self):
        """
        The committed reference matches the code (regenerate it with
        C{python -m nano.cli.reference docs/src/data/cli.json}).
        """
        with open(os.path.join(DATA, "cli.json")) as f:
            committed = json.load(f)
        self.assertEqual(committed, json.loads(reference.render()),
                         "stale: run python -m nano.cli.reference docs/src/data/cli.json")

    def test_everyOption(self):
        """
        Every option of C{twistd nano --help} is in the reference.
        """
        from nano.tap import Options

        names = {option["name"] for option in reference.cliReference()["twistd"]["options"]}
        for line in str(Options()).splitlines():
            match = re.match(r"\s+(?:-\w, )?(--[\w-]+)", line)
            if match and match.group(1) not in ("--help", "--version"):
                self.assertIn(match.group(1), names)


_FENCE = re.compile(r"^```(\w*)", re.M)
_EXAMPLE = re.compile(r'<Example\s+file="([^"]+)"(?:\s+region="([^"]+)")?')


class PageTests(SynchronousTestCase):
    """
    Pages show code only through the Example component, from files that exist.
    """

    def pages(self):
        found = glob.glob(os.path.join(PAGES, "**", "*.md*"), recursive=True)
        self.assertTrue(found)
        for path in found:
            with open(path, encoding="utf-8") as f:
                yield os.path.relpath(path, PAGES), f.read()

    def test_noInlineCode(self):
        """
        Fenced blocks are shell commands only; program code and configs come
        from examples/ through <Example>.
        """
        for name, text in self.pages():
            for lang in _FENCE.findall(text)[::2]:
                self.assertIn(lang, ("sh", "console"), "%s: a ```%s block; use <Example>" % (name, lang))

    def test_examplesExist(self):
        """
        Every <Example> names a file under examples/ (or the template) and, if
        given, a region that file has.
        """
        count = 0
        for name, text in self.pages():
            for file, region in _EXAMPLE.findall(text):
                count += 1
                self.assertTrue(file.startswith(("examples/", "nano/cli/template/")), "%s: %s" % (name, file))
                with open(os.path.join(ROOT, file), encoding="utf-8") as f:
                    source = f.read()
                if region:
                    self.assertRegex(source, r"#region %s\b" % (re.escape(region),), "%s: %s" % (name, file))
        self.assertGreater(count, 10)
