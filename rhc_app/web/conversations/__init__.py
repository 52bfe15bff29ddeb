from flask import Blueprint

bp = Blueprint("conversations", __name__)

from rhc_app.web.conversations import (  # noqa: E402,F401
    canvas_views,
    covering_views,
    offline_views,
    views,
)
