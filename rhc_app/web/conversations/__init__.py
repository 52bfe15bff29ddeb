from flask import Blueprint

bp = Blueprint("conversations", __name__)

from rhc_app.web.conversations import canvas_views, covering_views, views  # noqa: E402,F401
