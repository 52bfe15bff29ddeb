"""Connections between children (issue 16): people and places named in the conversations of
two or more children, for managers and the organisation's exploitation lead."""

from rhc_app.web.links import exports  # noqa: F401  (registers its routes on bp)
from rhc_app.web.links.views import bp

__all__ = ["bp"]
