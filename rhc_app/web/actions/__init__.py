from flask import Blueprint

bp = Blueprint("actions", __name__)

from rhc_app.web.actions import views  # noqa: E402,F401
