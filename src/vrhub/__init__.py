"""vrhub: the open data and evaluation platform for Violence Reduction Units.

Layers (dependencies point inward): ``cli``/``server``/``report`` → ``analysis``/``governance``
→ ``ingest``/``store`` → ``domain``. See docs/architecture.md.
"""

from vrhub.library import Partnership, Result
from vrhub.version import __version__

__all__ = ["Partnership", "Result", "__version__"]
