"""vrhub: the open data and evaluation platform for Violence Reduction Units.

Layers (dependencies point inward): ``cli``/``server``/``report`` → ``analysis``/``governance``
→ ``ingest``/``store`` → ``domain``. See docs/architecture.md.
"""

__version__ = "0.1.0"
