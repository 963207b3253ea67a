"""The routes: pages (HTML) and the REST API (/api), both reading web/workbench.py."""
