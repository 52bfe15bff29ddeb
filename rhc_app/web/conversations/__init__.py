from flask import Blueprint

bp = Blueprint("conversations", __name__)

from rhc_app.web.conversations import views  # noqa: E402,F401
