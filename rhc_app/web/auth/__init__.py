from flask import Blueprint

bp = Blueprint("auth", __name__)

from rhc_app.web.auth import two_step, views  # noqa: E402,F401
