
# V8's flags are process-wide and fixed by the first isolate: start V8 with NANO's
# flags before any test makes an isolate directly with py_mini_racer's defaults.
from nano.isolate.engine import startV8 as _startV8

_startV8()
