"""
Tests for L{nano.isolate.errors}.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.engine import JSError
from nano.isolate.errors import LoadError, describeJSError, moduleLoadError


class DescribeJSErrorTests(SynchronousTestCase):
    """
    L{describeJSError} turns V8's report into file:line:column.
    """

    def test_caret(self):
        """
        The column comes from the caret line under the source line.
        """
        error = JSError("app/x.js:3: SyntaxError: Unexpected token ';'\nlet x = ;\n        ^\n\nSyntaxError: ...")
        self.assertEqual(describeJSError(error), "app/x.js:3:9: SyntaxError: Unexpected token ';'")

    def test_noLocation(self):
        """
        Without a location, the first line is kept.
        """
        self.assertEqual(describeJSError(JSError("execution terminated")), "execution terminated")


class ModuleLoadErrorTests(SynchronousTestCase):
    """
    L{moduleLoadError} names the module a failed script came from.
    """

    def test_anonymous(self):
        """
        A parse error V8 reports for "<anonymous>" is put on the module's path.
        """
        error = moduleLoadError("lib/util.js", JSError("<anonymous>:3: SyntaxError: Unexpected token '}'"))
        self.assertIsInstance(error, LoadError)
        self.assertTrue(str(error).startswith("lib/util.js:3"), str(error))

    def test_named(self):
        """
        An error that already names its script keeps that name.
        """
        error = moduleLoadError("lib/util.js", JSError("index.js:5: ReferenceError: x is not defined"))
        self.assertTrue(str(error).startswith("index.js:5"), str(error))
