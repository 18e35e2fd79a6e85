"""The data-sharing hub: a FastAPI application over a workspace (``create_app``; ``vrhub serve``)."""

from vrhub.server.app import create_app
from vrhub.server.settings import HubSettings

__all__ = ["HubSettings", "create_app"]
