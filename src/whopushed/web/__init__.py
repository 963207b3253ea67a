"""The web workspace (`whopushed serve`): FastAPI pages and REST API over the store."""

from .app import create_app

__all__ = ["create_app"]
