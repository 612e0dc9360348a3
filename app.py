"""Entrypoint of the loss-landscape lab: the navigation and the shared sidebar, drawn
on every page (so their widgets keep their values across pages), then the page."""

from landscape import ui

ui.run_app()
