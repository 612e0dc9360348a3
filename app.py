"""Entrypoint of the loss-landscape lab: the navigation, the page, and the shared
sidebar, drawn after the page on every page (so their widgets keep their values
across pages, and the page's first chart reaches the browser first)."""

from landscape import ui

ui.run_app()
