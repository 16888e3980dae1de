"""raftsim.schema(): every configuration key, as `raftsim run --help` gives it."""
import pandas as pd

from . import _native


def schema(text=False):
    """A DataFrame indexed by key with its `default` and `help` (meaning and
    allowed values); text=True gives the --help text itself."""
    if text:
        return _native.key_help()
    return pd.DataFrame(_native.schema()).set_index("name")
