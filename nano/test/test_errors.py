"""
Tests for L{nano.isolate.errors}.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.isolate.engine import JSError
from nano.isolate.errors import describeJSError


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
